// Compare's grouping, the run detail, delete, diff and figure export in real Chromium against the real
// browser-mode server: a 20-seed sweep of two particle schemes (kl problem, ULA and MALA, 30 particles,
// 20 iterations) shown as one band per scheme; figures exported as PNG, SVG and CSV and checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunSummary, SetupRecord } from '../../src/api';
import { ARTIFACTS, api, launchChromium, startServer, type LabServer, type TestBrowser } from './harness';

let server: LabServer;
let chromium: TestBrowser;
let page: Page;
let setupId: number;
let runIds: number[];
const problems: string[] = [];
/** Answer to the next confirmation dialogs, and their messages. */
let confirmAnswer = true;
const dialogs: string[] = [];

const SETUP = {
  name: 'grouping e2e',
  problem: {
    kind: 'kl',
    target: { kind: 'mixture', weights: [0.3, 0.7], means: [[-2, 0], [2, 1]], covs: [[[1, 0.3], [0.3, 0.5]], [[1, 0], [0, 1]]] },
    init: { kind: 'gaussian', mean: [0, -3], cov: [[0.3, 0], [0, 0.3]], particles: 30 },
  },
  scheme: { kind: 'ula', step: 0.05 },
  iterations: 20,
  seeds: Array.from({ length: 20 }, (_, i) => i),
  sweep: { 'scheme.kind': ['ula', 'mala'] },
  snapshots: { every: 5 },
};

interface SeriesInfo { id: string; name: string; points: number; area: boolean }
const chartSeries = (p: Page): Promise<SeriesInfo[]> =>
  p.evaluate(() => {
    const el = document.querySelector('[data-testid=compare-chart]') as HTMLElement & { wgfChart: { getOption(): { series: { id: string; name: string; data: unknown[]; areaStyle?: unknown }[] } } };
    // Series removed by a redraw leave holes (null) in getOption().series.
    return el.wgfChart.getOption().series.filter(Boolean).map((s) => ({ id: s.id, name: s.name, points: s.data.length, area: Boolean(s.areaStyle) }));
  });
const waitForDrawn = async (p: Page, after = 0): Promise<number> => {
  const h = await p.waitForFunction((prev) => {
    const id = Number((document.querySelector('[data-testid=compare-chart]') as HTMLElement | null)?.dataset.drawnId ?? 0);
    return id > prev ? id : false;
  }, after, { timeout: 15_000 });
  return (await h.jsonValue()) as number;
};
const download = async (p: Page, testId: string, name: string): Promise<string> => {
  const [d] = await Promise.all([p.waitForEvent('download'), p.click(`[data-testid=${testId}]`)]);
  const file = path.join(ARTIFACTS, name);
  await d.saveAs(file);
  return file;
};
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, name) });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [server, chromium] = await Promise.all([startServer({ workers: 2 }), launchChromium({ width: 1440, height: 900 })]);
  const rec = await api<SetupRecord>(server, 'saveSetup', { setup: SETUP });
  setupId = rec.id;
  ({ runIds } = await api<{ runIds: number[] }>(server, 'queueSetup', { setupId }));
  expect(runIds).toHaveLength(40);
  for (let t = Date.now(); ; ) {
    const runs = await api<RunSummary[]>(server, 'listRuns', { setupId });
    const bad = runs.find((r) => !['done', 'queued', 'running'].includes(r.status));
    if (bad) throw new Error(`run #${bad.id} ended ${bad.status}: ${bad.error}`);
    if (runs.every((r) => r.status === 'done')) break;
    if (Date.now() - t > 20_000) throw new Error('runs did not finish within 20 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  page = await chromium.context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void (confirmAnswer ? d.accept() : d.dismiss());
  });
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=db-path]');
}, 40_000);

afterAll(async () => {
  await chromium?.close();
  expect(await server?.stop()).toBe(0);
  await server?.dispose();
});

describe('Compare grouping, run detail, diff, delete and figures in Chromium', () => {
  it('shows a 20-seed sweep of two schemes as one band per scheme', async () => {
    await page.evaluate((h) => (window.location.hash = h), `#/compare?runs=${runIds.join(',')}`);
    let drawn = await waitForDrawn(page);
    // 40 runs: grouped by default, by the parameters that vary except the seed (the scheme).
    expect(await page.textContent('[data-testid=group-summary]')).toContain('scheme.kind');
    let series = await chartSeries(page);
    const centers = series.filter((s) => /^group-\d+$/.test(s.id));
    expect(centers).toHaveLength(2);
    expect(centers.map((s) => s.name).sort()).toEqual([expect.stringMatching(/scheme\.kind=mala.*\(20 runs\)$/), expect.stringMatching(/scheme\.kind=ula.*\(20 runs\)$/)]);
    // A band (filled width on an invisible lower edge) under each center, under the same legend name.
    for (const c of centers) {
      expect(series.find((s) => s.id === `${c.id}-width`)).toMatchObject({ name: c.name, area: true });
      expect(c.points).toBeGreaterThan(5);
    }
    expect(await page.textContent('[data-testid=compare-stats]')).toContain('40 runs · 2 groups (mean ± 1 std)');
    await shot('e2e-compare-grouped.png');

    // Median with a 25-75% quantile band over t = k x step, smoothed.
    await page.selectOption('[data-testid=group-center]', 'median');
    drawn = await waitForDrawn(page, drawn);
    await page.selectOption('[data-testid=group-band]', 'quantiles');
    drawn = await waitForDrawn(page, drawn);
    await page.selectOption('[data-testid=group-quantiles]', '0.25,0.75');
    drawn = await waitForDrawn(page, drawn);
    await page.click('[data-testid=x-time]');
    drawn = await waitForDrawn(page, drawn);
    expect(page.url()).toMatch(/center=median/);
    expect(page.url()).toMatch(/band=quantiles/);
    expect(page.url()).toMatch(/x=time/);
    await page.locator('[data-testid=smoothing]').fill('0.6');
    await expect.poll(async () => (await chartSeries(page)).filter((s) => /-raw$/.test(s.id)).length).toBe(2);
    expect(await page.textContent('[data-testid=compare-stats]')).toContain('median, 0.25–0.75 quantiles');
    await shot('e2e-compare-grouped-median-time.png');

    // Ungrouped: one curve per run (40), the 21st onwards dashed after the palette.
    await page.click('[data-testid=group-menu] summary');
    await page.check('[data-testid=group-none]');
    await expect.poll(async () => (await chartSeries(page)).filter((s) => /^run-/.test(s.id)).length, { timeout: 10_000 }).toBe(40);
    await page.click('[data-testid=group-menu] summary');
    await page.locator('[data-testid=smoothing]').fill('0');
    const styles = await page.evaluate(() => {
      const el = document.querySelector('[data-testid=compare-chart]') as HTMLElement & { wgfChart: { getOption(): { series: { id: string; lineStyle: { type: unknown } }[] } } };
      return el.wgfChart.getOption().series.filter((s) => s?.id.startsWith('run-')).map((s) => JSON.stringify(s.lineStyle.type));
    });
    expect(styles[0]).toBe('"solid"');
    expect(styles[20]).not.toBe('"solid"');
    await shot('e2e-compare-ungrouped-40.png');
    // Back to the default grouping.
    await page.evaluate((h) => (window.location.hash = h), `#/compare?runs=${runIds.join(',')}&band=minmax`);
    series = await chartSeries(page);
    await expect.poll(async () => (await chartSeries(page)).filter((s) => /^group-\d+$/.test(s.id)).length, { timeout: 10_000 }).toBe(2);
  });

  it('exports the grouped figure as PNG (size x scale), SVG and CSV', async () => {
    await page.click('[data-testid=export-menu] summary');
    await page.fill('[data-testid=export-width]', '640');
    await page.fill('[data-testid=export-height]', '400');
    await page.selectOption('[data-testid=export-scale]', '2');
    const png = readFileSync(await download(page, 'export-png', 'e2e-figure.png'));
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 800]);
    const svg = readFileSync(await download(page, 'export-svg', 'e2e-figure.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]*width="640"[^>]*height="400"/);
    expect(svg).toContain('(20 runs)');
    const csv = readFileSync(await download(page, 'export-csv', 'e2e-figure.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('curve,x,y,lo,hi,runs');
    const groups = new Set(csv.slice(1).map((l) => /^"([^"]*)"|^([^,]*)/.exec(l)!.slice(1).find(Boolean)));
    expect([...groups].filter((g) => /\(20 runs\)$/.test(g ?? ''))).toHaveLength(2);
    const row = csv[1].split(',');
    expect(Number(row.at(-1))).toBe(20);
    expect(Number(row.at(-3))).toBeLessThanOrEqual(Number(row.at(-2)));
    await page.click('[data-testid=export-menu] summary');
  });

  it('opens a run, saves its notes and tags, and finds it by tag in Runs', async () => {
    await page.click('[data-testid=tab-runs]');
    const id = runIds[3];
    await page.click(`tr[data-run-id="${id}"] [data-testid=run-link]`);
    await page.waitForSelector(`[data-testid=run-detail][data-run-id="${id}"]`);
    expect(page.url()).toContain(`#/run?id=${id}`);
    expect(await page.textContent('[data-testid=run-status]')).toBe('done');
    expect(await page.textContent('[data-testid=run-spec]')).toContain('"particles": 30');
    expect(await page.textContent('[data-testid=run-finals]')).not.toBe('');
    // The Flow player for this run (snapshots every 5 iterations).
    await page.waitForSelector('.run-flow .flow-panel[data-drawn-iteration="0"]', { timeout: 10_000 });
    // Re-queue asks first (it replaces 21 stored iterations); answering no leaves the run as it is.
    confirmAnswer = false;
    await page.click('[data-testid=run-requeue]');
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toMatch(/stored metrics \(21 iterations\).*replaced/);
    expect((await api<RunSummary[]>(server, 'listRuns', { setupId })).find((r) => r.id === id)?.status).toBe('done');
    confirmAnswer = true;
    await page.fill('[data-testid=run-notes]', 'the one with the odd tail');
    await page.fill('[data-testid=run-tags]', 'keeper, e2e-tag');
    await page.click('[data-testid=run-save-notes]');
    await page.waitForSelector('[data-testid=run-notice]:has-text("saved")');
    const saved = (await api<RunSummary[]>(server, 'listRuns', { setupId })).find((r) => r.id === id)!;
    expect(saved.notes).toBe('the one with the odd tail');
    expect(saved.tags).toEqual(['keeper', 'e2e-tag']);
    await shot('e2e-run-detail.png');
    await page.locator('.run-flow').scrollIntoViewIfNeeded();
    await shot('e2e-run-detail-flow.png');

    await page.click('[data-testid=tab-runs]');
    await page.fill('[data-testid=runs-filter]', 'keeper');
    await expect.poll(async () => page.locator('[data-testid=runs-table] tbody tr').count()).toBe(1);
    expect(await page.getAttribute('[data-testid=runs-table] tbody tr', 'data-run-id')).toBe(String(id));
    await page.fill('[data-testid=runs-filter]', '');
  });

  it('diffs two runs: only the fields that differ', async () => {
    const [a, b] = [runIds[0], runIds[runIds.length - 1]];
    await page.click(`tr[data-run-id="${a}"] td.check input`);
    await page.click(`tr[data-run-id="${b}"] td.check input`);
    await page.click('[data-testid=diff-selected]');
    await page.waitForSelector('[data-testid=diff-table]');
    const paths = await page.locator('[data-testid=diff-table] tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.path));
    expect(paths).toContain('scheme.kind');
    expect(paths).toContain('seed');
    expect(paths).not.toContain('iterations');
    expect(paths).not.toContain('problem.init.particles');
    const cells = await page.locator('[data-testid=diff-table] tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).slice(1).map((td) => td.textContent)));
    for (const c of cells) expect(c[0]).not.toBe(c[1]);
    await shot('e2e-runs-diff.png');
  });

  it('deletes selected runs, a run from its detail, and a setup\'s runs in bulk', async () => {
    const [a, b] = [runIds[0], runIds[runIds.length - 1]];
    await page.click('[data-testid=delete-selected]');
    await expect.poll(async () => (await api<RunSummary[]>(server, 'listRuns', { setupId })).length).toBe(38);
    await expect.poll(async () => page.locator(`tr[data-run-id="${a}"], tr[data-run-id="${b}"]`).count()).toBe(0);

    await page.evaluate((h) => (window.location.hash = h), `#/run?id=${runIds[5]}`);
    await page.waitForSelector(`[data-testid=run-detail][data-run-id="${runIds[5]}"]`);
    await page.click('[data-testid=run-delete]');
    await page.waitForSelector('[data-testid=runs-table]');
    expect((await api<RunSummary[]>(server, 'listRuns', { setupId })).map((r) => r.id)).not.toContain(runIds[5]);

    await page.click('[data-testid=tab-setups]');
    await page.click('.setup-list li:has-text("grouping e2e")');
    await page.click('[data-testid=delete-setup-runs]');
    await page.waitForSelector('[data-testid=bulk-note]:has-text("Deleted 37 runs")');
    expect(await api<RunSummary[]>(server, 'listRuns', { setupId })).toEqual([]);
    expect(problems).toEqual([]);
  });
});
