// Shared fixtures of the lab tests: temp folders, small setups, and a service on the built worker.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabService, type LabServiceOptions } from '../../main/lab-service';
import { findWorkerFile } from '../../main/paths';
import type { LabEvent } from '../../src/api';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'node', 'wgflab.mjs');

const made: string[] = [];
export function tempDir(prefix = 'wgflab-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A d-dimensional SPD matrix scale * (B B^T / d + I) with a fixed pseudo-random B. */
export function spd(d: number, scale: number, seed: number): number[][] {
  let s = seed + 1;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const b = Array.from({ length: d }, () => Array.from({ length: d }, rnd));
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => {
    let v = 0;
    for (let k = 0; k < d; k++) v += b[i][k] * b[j][k];
    return scale * (v / d + (i === j ? 1 : 0));
  }));
}

export interface SetupOptions {
  name?: string;
  d?: number;
  iterations?: number;
  scheme?: string;
  step?: number;
  seeds?: number[];
  sweep?: Record<string, unknown[]>;
}

/** A gaussian-kl setup with dense covariances (cost per iteration grows like d^3). */
export function gaussianSetup(o: SetupOptions = {}): Record<string, unknown> {
  const d = o.d ?? 2;
  return {
    name: o.name ?? 'test setup',
    problem: {
      kind: 'gaussian-kl',
      target: { mean: new Array(d).fill(0), cov: spd(d, 1, 1) },
      init: { mean: new Array(d).fill(1), cov: spd(d, 3, 2) },
    },
    scheme: { kind: o.scheme ?? 'fb', step: o.step ?? 0.05 },
    iterations: o.iterations ?? 200,
    seeds: o.seeds ?? [0],
    ...(o.sweep ? { sweep: o.sweep } : {}),
  };
}

/** A setup whose forward scheme diverges (step far beyond 2 / L). */
export function divergingSetup(): Record<string, unknown> {
  return {
    name: 'diverging',
    problem: { kind: 'gaussian-kl', target: { mean: [0, 0], cov: [[1, 0], [0, 0.01]] }, init: { mean: [1, 1], cov: [[1, 0], [0, 1]] } },
    scheme: { kind: 'forward', step: 10 },
    iterations: 1000,
  };
}

export function workerFile(): string {
  return findWorkerFile(process.cwd());
}

export function makeService(dbPath: string, opts: Partial<LabServiceOptions> = {}): LabService {
  return new LabService({ dbPath, workers: 2, workerFile: workerFile(), appVersion: '0.0.0-test', log: (line) => process.stderr.write(`[lab-service] ${line}\n`), ...opts });
}

/** Resolves with the first event that matches. */
export function nextEvent(service: LabService, match: (e: LabEvent) => boolean, timeoutMs = 20_000): Promise<LabEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for an event'));
    }, timeoutMs);
    const off = service.onEvent((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}
