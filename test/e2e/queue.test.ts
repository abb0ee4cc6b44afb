// Queue view against the real server: progress and ETA of running runs, cancel, and "resume interrupted" after
// the server was stopped while runs were in flight (same SQLite file, new server process).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunSummary, SetupRecord } from '../../src/api';
import { ARTIFACTS, api, launchChromium, startServer, type LabServer, type TestBrowser } from './harness';

let chromium: TestBrowser;
let page: Page;
const servers: LabServer[] = [];

// A slow setup: d = 120 with a dense target covariance, JKO and FB, many iterations.
const D = 120;
const slowSetup = {
  name: 'slow dense d=120',
  problem: {
    kind: 'gaussian-kl',
    target: { mean: new Array(D).fill(0), cov: Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => (i === j ? 2 : 0.3 * 0.5 ** Math.abs(i - j)))) },
    init: { mean: new Array(D).fill(3), cov: { diag: new Array(D).fill(5) } },
  },
  scheme: { kind: 'jko', step: 0.01 },
  iterations: 100_000,
  seeds: [0],
  sweep: { 'scheme.kind': ['jko', 'fb'] },
};

const row = (id: number) => `[data-testid=queue-table] tr[data-run-id="${id}"]`;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  let first: LabServer;
  [first, chromium] = await Promise.all([startServer({ workers: 1 }), launchChromium({ width: 1280, height: 720 })]);
  servers.push(first);
  page = await chromium.context.newPage();
});

afterAll(async () => {
  await chromium?.close();
  for (const s of servers) await s.dispose();
});

describe('Queue view', () => {
  it('shows progress and ETA, cancels, and resumes runs interrupted by a server stop', async () => {
    const server = servers[0];
    const rec = await api<SetupRecord>(server, 'saveSetup', { setup: slowSetup });
    const { runIds } = await api<{ runIds: number[] }>(server, 'queueSetup', { setupId: rec.id });
    expect(runIds).toHaveLength(2);
    await page.goto(`${server.url}#/queue`);
    await page.waitForSelector(`${row(runIds[0])}[data-status=running]`, { timeout: 15_000 });
    // Progress moves and an ETA with a rate appears.
    await expect.poll(() => page.locator(`${row(runIds[0])} td.eta`).textContent(), { timeout: 15_000 }).toMatch(/it\/s/);
    expect(await page.locator(`${row(runIds[0])} [role=progressbar]`).getAttribute('aria-valuemax')).toBe('100000');
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-queue-running.png') });

    // The Compare view follows the running run live ('metrics' events append points).
    await page.goto(`${server.url}#/compare?runs=${runIds[0]}&metric=kl`);
    await page.waitForFunction(() => Number((document.querySelector('[data-testid=compare-chart]') as HTMLElement | null)?.dataset.drawnId ?? 0) > 0, undefined, { timeout: 15_000 });
    const points = () => page.evaluate(() => (document.querySelector('[data-testid=compare-chart]') as HTMLElement & { wgfChart: { getOption(): { series: { data: unknown[] }[] } } }).wgfChart.getOption().series[0]?.data.length ?? 0);
    const before = await points();
    await expect.poll(points, { timeout: 10_000 }).toBeGreaterThan(before + 2);
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-compare-live.png') });
    await page.click('[data-testid=tab-queue]');
    await page.waitForSelector(`${row(runIds[0])}[data-status=running]`);

    // One worker: the second run waits in the queue until the first is cancelled.
    expect(await page.locator(`${row(runIds[1])}`).getAttribute('data-status')).toBe('queued');
    await page.click(`${row(runIds[0])} button:has-text("Cancel")`);
    await page.waitForSelector(`${row(runIds[0])}[data-status=cancelled]`, { timeout: 10_000 });
    await page.waitForSelector(`${row(runIds[1])}[data-status=running]`, { timeout: 10_000 });

    // Stop the server while run 2 is running: it becomes "interrupted"; a new server on the same file offers to resume it.
    expect(await server.stop()).toBe(0);
    const again = await startServer({ workers: 1, dir: server.dir });
    servers.push(again);
    await page.goto(`${again.url}#/queue`);
    await page.waitForSelector(`${row(runIds[1])}[data-status=interrupted]`);
    await page.click('[data-testid=resume-interrupted]');
    await page.waitForSelector(`${row(runIds[1])}[data-status=running]`, { timeout: 15_000 });
    expect(await page.locator('[data-testid=resume-interrupted]').count()).toBe(0);

    await page.click(`${row(runIds[1])} button:has-text("Cancel")`);
    await page.waitForSelector(`${row(runIds[1])}[data-status=cancelled]`, { timeout: 10_000 });
    const runs = await api<RunSummary[]>(again, 'listRuns', {});
    expect(runs.map((r) => r.status).sort()).toEqual(['cancelled', 'cancelled']);
  });
});
