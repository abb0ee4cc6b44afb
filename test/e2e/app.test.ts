// The app in real Chromium against the real browser-mode server (LabService, SQLite file, worker pool):
// presets -> queue -> Queue view until done -> Compare with one series per run and dashed bounds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunDetail } from '../../src/api';
import { ARTIFACTS, api, launchChromium, startServer, type LabServer, type TestBrowser } from './harness';

const SALIM = 'gaussian-fb-vs-ula-1d-salim';
const ZHU = 'gaussian-jko-zhu-4-1';

let server: LabServer;
let chromium: TestBrowser;
let page: Page;
const problems: string[] = [];

interface SeriesInfo { id: string; name: string; points: number; dashed: boolean; color: string }

async function chartSeries(p: Page): Promise<SeriesInfo[]> {
  return p.evaluate(() => {
    const el = document.querySelector('[data-testid=compare-chart]') as HTMLElement & { wgfChart: { getOption(): { series: { id: string; name: string; data: unknown[]; lineStyle: { type: string; color: string } }[] } } };
    // Reference lines (ids "ref-...") are checked elsewhere.
    return el.wgfChart.getOption().series.filter((s) => !s.id.startsWith('ref-')).map((s) => ({ id: s.id, name: s.name, points: s.data.length, dashed: s.lineStyle.type === 'dashed', color: s.lineStyle.color }));
  });
}

/** Waits until the chart has drawn a load newer than `after` (data-drawn-id is the id of the last drawn load). */
async function waitForDrawn(p: Page, after = 0): Promise<number> {
  const handle = await p.waitForFunction((prev) => {
    const el = document.querySelector('[data-testid=compare-chart]') as HTMLElement | null;
    const id = Number(el?.dataset.drawnId ?? 0);
    return id > prev ? id : false;
  }, after, { timeout: 15_000 });
  return (await handle.jsonValue()) as number;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [server, chromium] = await Promise.all([startServer({ workers: 2 }), launchChromium()]);
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

describe('WGF Lab in Chromium (browser mode)', () => {
  it('shows the app name, the five views and the database path', async () => {
    expect(await page.textContent('.brand')).toContain('WGF Lab');
    expect(await page.locator('nav.tabs a').allTextContents()).toEqual(['Setups', 'Queue', 'Runs', 'Compare', 'Flow']);
    expect(await page.textContent('[data-testid=db-path]')).toContain(server.dbPath);
    // The token moved from the address bar into sessionStorage.
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate(() => sessionStorage.getItem('wgf-lab-token'))).toBe(server.token);
  });

  it('shows validation messages next to the field they name', async () => {
    await page.click('[data-testid=tab-setups]');
    await page.click('[data-testid=new-setup]');
    await page.fill('#f-scheme_step', '-1');
    const stepIssue = page.locator('[data-path="scheme.step"] .field-issues');
    await expect.poll(() => stepIssue.textContent()).toContain('scheme.step must be > 0, got -1');
    await page.fill('#f-iterations', 'many');
    await expect.poll(() => page.locator('[data-path="iterations"] .field-issues').textContent()).toMatch(/iterations must be (a number|an integer), got "many"/);
    expect(await page.locator('[data-testid=queue-setup]').isDisabled()).toBe(true);
    expect(await page.textContent('[data-testid=issue-list]')).toContain('2 issues to fix');
    await page.locator('#f-scheme_step').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-setups-invalid.png') });
    await page.fill('#f-scheme_step', '0.05');
    await page.fill('#f-iterations', '100');
    await expect.poll(() => page.locator('[data-testid=issue-ok]').count()).toBe(1);
  });

  it('queues two presets, runs them to the end, and compares them with their bounds', async () => {
    const presets = await api<{ id: string }[]>(server, 'listPresets');
    expect(presets.map((p) => p.id)).toEqual(expect.arrayContaining([SALIM, ZHU]));

    await page.click('[data-testid=tab-setups]');
    for (const [id, runs] of [[SALIM, 3], [ZHU, 1]] as const) {
      await page.selectOption('[data-testid=preset-menu]', id);
      await expect.poll(() => page.textContent('[data-testid=queue-setup]')).toContain(`Queue ${runs} run`);
      if (id === SALIM) await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-setups-preset.png') });
      await page.click('[data-testid=queue-setup]');
      await expect.poll(() => page.textContent('[data-testid=editor-notice]'), { timeout: 10_000 }).toContain(`Queued ${runs} run`);
    }

    await page.click('[data-testid=tab-queue]');
    await page.waitForFunction(() => {
      const rows = Array.from(document.querySelectorAll('[data-testid=queue-table] tbody tr'));
      return rows.length === 4 && rows.every((r) => (r as HTMLElement).dataset.status === 'done');
    }, undefined, { timeout: 30_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-queue-done.png') });

    await page.click('[data-testid=tab-runs]');
    await page.click('[data-testid=runs-table] th.check input');
    await page.click('[data-testid=compare-selected]');
    let drawn = await waitForDrawn(page);
    expect(page.url()).toMatch(/#\/compare\?runs=1,2,3,4/);

    const details = await Promise.all([1, 2, 3, 4].map((id) => api<RunDetail>(server, 'getRun', { id })));
    const check = async (metric: string) => {
      const series = await chartSeries(page);
      const lines = series.filter((s) => !s.dashed);
      const bounds = series.filter((s) => s.dashed);
      const withMetric = details.filter((d) => d.metricNames.includes(metric));
      const withBound = details.filter((d) => d.metricNames.includes(`bound_${metric}`));
      expect(lines.map((s) => s.id).sort()).toEqual(withMetric.map((d) => `run-${d.id}-${metric}`).sort());
      expect(bounds.map((s) => s.id).sort()).toEqual(withBound.map((d) => `bound-${d.id}-bound_${metric}`).sort());
      for (const s of lines) expect(s.points).toBeGreaterThan(10);
      // A bound is drawn in its run's color, under one legend entry per bound ("... (theory)": toggles it for every run).
      for (const b of bounds) {
        const run = lines.find((l) => l.id === b.id.replace(/^bound-(\d+)-bound_/, 'run-$1-'));
        expect(b.color).toBe(run?.color);
        expect(b.name).toMatch(/\(theory\)$/);
      }
      return { lines: lines.length, bounds: bounds.length };
    };
    // The default metric is the first one the runs declare ("objective" for gaussian-kl); pick kl.
    await page.selectOption('[data-testid=metric-select]', 'kl');
    drawn = await waitForDrawn(page, drawn);
    const kl = await check('kl');
    expect(kl.lines).toBe(4);
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-compare-kl.png') });

    await page.selectOption('[data-testid=metric-select]', 'w2sq');
    drawn = await waitForDrawn(page, drawn);
    const w2 = await check('w2sq');
    expect(w2.lines).toBe(4);
    expect(w2.bounds).toBeGreaterThanOrEqual(1);
    expect(page.url()).toContain('metric=w2sq');
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-compare-w2sq.png') });

    // Wall-time x axis and a linear y axis redraw the same series.
    await page.click('.seg button:has-text("wall time")');
    await page.click('[data-testid=log-toggle]');
    await expect.poll(async () => (await chartSeries(page)).length).toBe(w2.lines + w2.bounds);
    expect(problems).toEqual([]);
  });

  it('exports the chart as PNG and the curves as CSV', async () => {
    await page.click('[data-testid=export-menu] summary');
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-png]')]);
    expect(png.suggestedFilename()).toMatch(/^wgf-compare-w2sq-.*\.png$/);
    const pngPath = path.join(ARTIFACTS, 'e2e-export.png');
    await png.saveAs(pngPath);
    expect(readFileSync(pngPath).subarray(1, 4).toString()).toBe('PNG');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    const csvPath = path.join(ARTIFACTS, 'e2e-export.csv');
    await csv.saveAs(csvPath);
    const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
    // The figure's CSV (src/charts/figure.ts): one row per drawn point, the curve's legend label first.
    expect(lines[0]).toBe('curve,x,y,lo,hi,runs');
    expect(lines.some((l) => l.startsWith('"#1 fb, seed 0",'))).toBe(true);
    expect(lines.some((l) => /\(theory\) #\d+"?,/.test(l))).toBe(true);
  });
});
