// Grid snapshots in the Flow view (real server, real Chromium): a 2-channel 2-D neuron density drawn as two
// heatmaps side by side, and a 1-D Fokker–Planck density drawn as a curve; frames change while playing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunSummary, SetupRecord } from '../../src/api';
import { ARTIFACTS, api, launchChromium, startServer, type LabServer, type TestBrowser } from './harness';

let server: LabServer;
let chromium: TestBrowser;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [server, chromium] = await Promise.all([startServer({ workers: 2 }), launchChromium({ width: 1200, height: 700 })]);
  page = await chromium.context.newPage();
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=db-path]');
});

afterAll(async () => {
  await chromium?.close();
  expect(await server?.stop()).toBe(0);
  await server?.dispose();
});

async function runToDone(setup: unknown): Promise<number> {
  const rec = await api<SetupRecord>(server, 'saveSetup', { setup });
  const { runIds } = await api<{ runIds: number[] }>(server, 'queueSetup', { setupId: rec.id });
  for (let i = 0; i < 300; i++) {
    const runs = await api<RunSummary[]>(server, 'listRuns', { setupId: rec.id });
    if (runs.every((r) => r.status !== 'queued' && r.status !== 'running')) {
      expect(runs.map((r) => r.status)).toEqual(runs.map(() => 'done'));
      return runIds[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('runs did not finish');
}

describe('Flow view: grids', () => {
  it('draws a two-channel neuron density as two heatmaps and a 1-D density as a curve, and plays', async () => {
    const relu = await runToDone({
      name: 'flow grid relu', problem: { kind: 'relu-neuron-grid', cells: 15, radius: 2, samples: 20 },
      scheme: { kind: 'gd-masses', step: 0.05 }, iterations: 20, snapshots: { every: 2 },
    });
    const ou = await runToDone({
      name: 'flow grid ou', problem: { kind: 'fokker-planck', grid: { shape: [120], lo: [-6], hi: [6] }, centre: [1], init: { kind: 'gaussian', mean: [-2], cov: [[0.5]] } },
      scheme: { kind: 'entropic-jko', step: 0.1, gamma: 0.02 }, iterations: 10, snapshots: { every: 1 },
    });
    await page.evaluate((h) => (window.location.hash = h), `#/flow?runs=${relu},${ou}`);
    await page.waitForFunction(() => document.querySelectorAll('.flow-panel[data-drawn-iteration="0"]').length === 2, undefined, { timeout: 15_000 });
    const pixels = () => page.evaluate(() => Array.from(document.querySelectorAll('canvas.flow-canvas')).map((c) => (c as HTMLCanvasElement).toDataURL()));
    const first = await pixels();
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-flow-grids-start.png') });
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.flow-panel')).every((e) => Number((e as HTMLElement).dataset.drawnIteration) >= 10), undefined, { timeout: 20_000 });
    const later = await pixels();
    expect(later[0]).not.toBe(first[0]);
    expect(later[1]).not.toBe(first[1]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-flow-grids.png') });
    // the two channels are labelled in the neuron panel
    expect(await page.evaluate(() => document.querySelectorAll('.flow-panel').length)).toBe(2);
  });
});
