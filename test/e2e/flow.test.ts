// The Flow view in real Chromium against the real browser-mode server: a Gaussian setup queued with snapshots
// (covariance ellipses over the target's dashed ones), played to the end; particle runs seeded into the database
// (2-D scatter over the target's contours, 1-D histogram over its density), played, scrubbed and screenshotted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { SetupRecord, SnapshotIndex } from '../../src/api';
import { ARTIFACTS, api, launchChromium, startServer, type LabServer, type TestBrowser } from './harness';
import { seedParticleRuns } from './flow-seed';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';

let server: LabServer;
let chromium: TestBrowser;
let page: Page;
let seeded2d: number[];
let seeded1d: number[];
const problems: string[] = [];

const iterationLabel = (p: Page) => p.textContent('[data-testid=flow-iteration]');
const canvasPixels = (p: Page) => p.evaluate(() => Array.from(document.querySelectorAll('canvas.flow-canvas')).map((c) => (c as HTMLCanvasElement).toDataURL()));
const drawnIterations = (p: Page) => p.evaluate(() => Array.from(document.querySelectorAll('.flow-panel')).map((e) => (e as HTMLElement).dataset.drawnIteration ?? ''));
const openFlow = async (p: Page, ids: number[]) => {
  await p.evaluate((h) => (window.location.hash = h), `#/flow?runs=${ids.join(',')}`);
  await p.waitForFunction((n) => document.querySelectorAll('.flow-panel[data-drawn-iteration="0"]').length === n, ids.length, { timeout: 15_000 });
};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wgf-e2e-flow-'));
  seeded2d = seedParticleRuns(path.join(dir, 'lab.sqlite'), { runs: 2, particles: 2000, frames: 21, dim: 2 });
  seeded1d = seedParticleRuns(path.join(dir, 'lab.sqlite'), { runs: 1, particles: 100, frames: 21, dim: 1 });
  [server, chromium] = await Promise.all([startServer({ workers: 2, dir }), launchChromium({ width: 1400, height: 860 })]);
  page = await chromium.context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=db-path]');
});

afterAll(async () => {
  await chromium?.close();
  expect(await server?.stop()).toBe(0);
  await server?.dispose();
});

describe('Flow view in Chromium', () => {
  it('plays a Gaussian run queued with snapshots every 5 iterations', async () => {
    const setup = {
      name: 'flow e2e gaussian',
      problem: { kind: 'gaussian-kl', target: { mean: [0, 0], cov: [[1, 0.6], [0.6, 2]] }, init: { mean: [4, -3], cov: { diag: [0.2, 3] } } },
      scheme: { kind: 'ula', step: 0.05 },
      iterations: 100,
      seeds: [0],
      sweep: { 'scheme.kind': ['ula', 'fb'] },
      snapshots: { every: 5 },
    };
    const rec = await api<SetupRecord>(server, 'saveSetup', { setup });
    const { runIds } = await api<{ runIds: number[] }>(server, 'queueSetup', { setupId: rec.id });
    await expect.poll(async () => (await api<SnapshotIndex[]>(server, 'listSnapshots', { runIds })).map((s) => s.iterations.length), { timeout: 20_000 }).toEqual([21, 21]);

    await page.click('[data-testid=tab-flow]');
    expect(await page.locator('nav.tabs a').allTextContents()).toEqual(['Setups', 'Queue', 'Runs', 'Compare', 'Flow']);
    await openFlow(page, runIds);
    expect(await iterationLabel(page)).toContain('k = 0');
    const before = await canvasPixels(page);
    await page.selectOption('[data-testid=flow-speed]', '20');
    await page.click('[data-testid=flow-play]');
    await page.waitForFunction(() => /k = [1-9]/.test(document.querySelector('[data-testid=flow-iteration]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid=flow-play]')?.textContent === 'Play', undefined, { timeout: 15_000 });
    expect(await iterationLabel(page)).toContain('k = 100');
    expect(await drawnIterations(page)).toEqual(['100', '100']);
    const after = await canvasPixels(page);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    // The scrubber seeks; a panel shows its latest frame <= k.
    await page.locator('[data-testid=flow-scrubber]').fill('3');
    await expect.poll(() => drawnIterations(page)).toEqual(['15', '15']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-flow-gaussian.png') });
  });

  it('lets the user choose the two coordinates when d > 2', async () => {
    const setup = {
      name: 'flow e2e gaussian 3-D',
      problem: { kind: 'gaussian-kl', target: { mean: [0, 0, 0], cov: { diag: [1, 2, 3] } }, init: { mean: [3, -2, 5], cov: { diag: [0.5, 0.5, 0.5] } } },
      scheme: { kind: 'fb', step: 0.1 },
      iterations: 20,
      seeds: [0],
      snapshots: { every: 5 },
    };
    const rec = await api<SetupRecord>(server, 'saveSetup', { setup });
    const { runIds } = await api<{ runIds: number[] }>(server, 'queueSetup', { setupId: rec.id });
    await expect.poll(async () => (await api<SnapshotIndex[]>(server, 'listSnapshots', { runIds }))[0].iterations.length, { timeout: 20_000 }).toBe(5);
    await openFlow(page, runIds);
    expect(await page.locator('[data-testid=flow-cx] option').allTextContents()).toEqual(['x1', 'x2', 'x3']);
    const before = await canvasPixels(page);
    await page.selectOption('[data-testid=flow-cy]', '2');
    expect(page.url()).toContain('cx=0&cy=2');
    await expect.poll(async () => (await canvasPixels(page))[0]).not.toBe(before[0]);
    // The x coordinate cannot equal the y one: choosing x3 for x moves y elsewhere.
    await page.selectOption('[data-testid=flow-cx]', '2');
    await expect.poll(() => page.inputValue('[data-testid=flow-cy]')).not.toBe('2');
  });

  it('plays 2-D particles over the target contours and a 1-D histogram', async () => {
    const ids = [...seeded2d, ...seeded1d];
    await openFlow(page, ids);
    const first = await canvasPixels(page);
    await page.click('[data-testid=flow-play]');
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 3; i++) {
      seen.add((await iterationLabel(page)) ?? '');
      await page.waitForTimeout(150);
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);
    await page.click('[data-testid=flow-play]'); // pause
    const paused = await iterationLabel(page);
    await page.waitForTimeout(400);
    expect(await iterationLabel(page)).toBe(paused);
    const mid = await canvasPixels(page);
    for (let i = 0; i < ids.length; i++) expect(mid[i]).not.toBe(first[i]);
    await page.locator('[data-testid=flow-scrubber]').fill('8');
    await expect.poll(() => drawnIterations(page)).toEqual(['40', '40', '40']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-flow-particles.png') });
    const stats = await page.textContent('[data-testid=flow-stats]');
    expect(stats).toMatch(/21 frames/);
    expect(problems).toEqual([]);
  });

  it('queues the SVGD preset from the Setups view and plays its histograms while the runs are going', async () => {
    await page.click('[data-testid=tab-setups]');
    await page.selectOption('[data-testid=preset-menu]', 'svgd-mixture-1d-liu-wang');
    await expect.poll(() => page.textContent('[data-testid=queue-setup]')).toContain('Queue 3 run');
    await page.click('[data-testid=queue-setup]');
    await expect.poll(() => page.textContent('[data-testid=editor-notice]'), { timeout: 10_000 }).toContain('Queued 3 run');
    const runs = await api<{ id: number; name: string }[]>(server, 'listRuns', {});
    const ids = runs.filter((r) => r.name.startsWith('SVGD on a 1-D mixture')).map((r) => r.id).sort((a, b) => a - b);
    expect(ids).toHaveLength(3);
    // Open Flow as soon as the first run has a few frames: it follows the runs live.
    await expect.poll(async () => (await api<SnapshotIndex[]>(server, 'listSnapshots', { runIds: ids }))[0].iterations.length, { timeout: 20_000 }).toBeGreaterThan(3);
    await page.click('[data-testid=tab-runs]');
    for (const id of ids) await page.click(`[data-testid=runs-table] tr[data-run-id="${id}"] td.check input`);
    await page.click('[data-testid=flow-selected]');
    expect(page.url()).toContain(`#/flow?runs=${ids.join(',')}`);
    // It opens on the newest frames (following the runs) ...
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.flow-panel')).some((e) => Number((e as HTMLElement).dataset.drawnIteration) > 0), undefined, { timeout: 15_000 });
    await page.selectOption('[data-testid=flow-speed]', '30');
    const before = await canvasPixels(page);
    // ... and Play starts over from k = 0.
    await page.click('[data-testid=flow-play]');
    const labels = new Set<string>();
    for (let i = 0; i < 40 && labels.size < 4; i++) {
      labels.add((await iterationLabel(page)) ?? '');
      await page.waitForTimeout(100);
    }
    expect(labels.size).toBeGreaterThanOrEqual(4);
    // Every run's runs to the end; the playhead follows to the last frame.
    await expect.poll(async () => (await api<SnapshotIndex[]>(server, 'listSnapshots', { runIds: ids })).map((s) => s.iterations.at(-1)), { timeout: 25_000 }).toEqual([500, 500, 500]);
    await expect.poll(() => drawnIterations(page), { timeout: 20_000 }).toEqual(['500', '500', '500']);
    const after = await canvasPixels(page);
    for (let i = 0; i < 3; i++) expect(after[i]).not.toBe(before[i]);
    expect(await page.textContent('.flow-panel footer')).toContain('100 particles, d = 1 (histogram)');
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-flow-svgd-preset.png') });
    expect(problems).toEqual([]);
  });

  it('Runs shows the parameters that vary and the declared metrics; Compare draws reference lines', async () => {
    await page.click('[data-testid=tab-runs]');
    await page.fill('[data-testid=runs-filter]', 'flow seed 2-D');
    const heads = async () => page.locator('[data-testid=runs-table] th[data-col]').evaluateAll((ths) => ths.map((t) => [(t as HTMLElement).dataset.col, t.textContent?.trim()]));
    await expect.poll(async () => (await heads()).map((h) => h[0])).toEqual(['id', 'name', 'param:scheme.step', 'param:seed', 'status', 'progress', 'final:energy', 'final:kl']);
    expect((await heads()).find((h) => h[0] === 'final:energy')?.[1]).toContain('energy E[V]');
    // Sorting by a parameter column.
    await page.click('[data-testid=runs-table] th[data-col="param:scheme.step"]');
    const steps = () => page.locator('[data-testid=runs-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.children[3].textContent?.trim()));
    expect(await steps()).toEqual(['0.02', '0.04']);
    await page.click('[data-testid=runs-table] th[data-col="param:scheme.step"]');
    expect(await steps()).toEqual(['0.04', '0.02']);
    // With the Gaussian runs listed too, the scheme kind varies.
    await page.fill('[data-testid=runs-filter]', '');
    await expect.poll(async () => (await heads()).map((h) => h[0])).toContain('param:scheme.kind');
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-flow-runs-table.png') });

    await page.evaluate((h) => (window.location.hash = h), `#/compare?runs=${seeded2d.join(',')}`);
    const series = () => page.evaluate(() => {
      const el = document.querySelector('[data-testid=compare-chart]') as HTMLElement & { wgfChart?: { getOption(): { series: { id: string; name: string; data: number[][] }[] } } };
      return (el.wgfChart?.getOption().series ?? []).map((s) => ({ id: s.id, name: s.name, y: s.data[0]?.[1] }));
    });
    // The first declared metric is the default, on a linear axis (energy declares log: false), with its reference.
    await expect.poll(async () => (await series()).find((s) => s.id.startsWith('ref-')), { timeout: 10_000 }).toEqual({ id: 'ref-0', name: 'E[V] under π', y: 1.5 });
    expect(await page.inputValue('[data-testid=metric-select]')).toBe('energy');
    expect(await page.isChecked('[data-testid=log-toggle]')).toBe(false);
    expect(await page.locator('[data-testid=metric-select] option').allTextContents()).toEqual(['energy E[V] (energy)', 'KL(μ | π) (estimate) (kl)']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-compare-reference.png') });
    await page.selectOption('[data-testid=metric-select]', 'kl');
    await expect.poll(() => page.isChecked('[data-testid=log-toggle]')).toBe(true);
    expect(problems).toEqual([]);
  });
});
