// Compare view, first render in Chromium: 20 runs x 10,000 points of "kl" (a real SQLite file filled by the real
// LabService and worker pool through the browser-mode server), against a 1-run baseline. Each sample is a full
// page load of the deep link #/compare?runs=...&metric=kl; the app marks compare:start when it starts loading
// the selection and compare:finished on the chart's 'finished' event (performance.measure 'compare:render').
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunSummary, SetupRecord } from '../../src/api';
import type { BenchRow } from './table';
import { ARTIFACTS, api, launchChromium, startServer } from '../e2e/harness';

const RUNS = 20;
const POINTS = 10_000;
const SAMPLES = 5;
const TARGET_MS = 500;

interface Sample { selectToDrawn: number; selectToFull: number; selectToData: number; navToDrawn: number; points: number; series: number }

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(page: Page, origin: string, token: string, runIds: number[]): Promise<Sample> {
  // A full load each time (the query string changes), so nothing is cached in the app.
  await page.goto(`${origin}/?token=${token}&n=${Math.random().toString(36).slice(2)}#/compare?runs=${runIds.join(',')}&metric=kl`);
  await page.waitForFunction(() => performance.getEntriesByName('compare:full').length > 0, undefined, { timeout: 60_000 });
  // No named inner functions here: a bundler's keepNames helper (__name) does not exist in the page.
  return page.evaluate(() => {
    const [render, full, data, finished, start] = ['compare:render', 'compare:full', 'compare:data', 'compare:finished', 'compare:start'].map((n) => performance.getEntriesByName(n)[0]);
    const el = document.querySelector('[data-testid=compare-chart]') as HTMLElement & { wgfChart: { getOption(): { series: { data: unknown[] }[] } } };
    const series = el.wgfChart.getOption().series;
    return {
      selectToDrawn: render.duration,
      selectToFull: full.duration,
      selectToData: data.startTime - start.startTime,
      navToDrawn: finished.startTime,
      points: series.reduce((n, s) => n + s.data.length, 0),
      series: series.length,
    };
  });
}

/** Changes the selection in the open page (hash change, no reload) and waits for both pictures. */
async function measureSwitch(page: Page, runIds: number[]): Promise<{ selectToDrawn: number; selectToFull: number }> {
  await page.evaluate((hash) => {
    performance.clearMeasures('compare:render');
    performance.clearMeasures('compare:full');
    window.location.hash = hash;
  }, `#/compare?runs=${runIds.join(',')}&metric=kl`);
  await page.waitForFunction(() => performance.getEntriesByName('compare:full').length > 0, undefined, { timeout: 60_000 });
  return page.evaluate(() => ({
    selectToDrawn: performance.getEntriesByName('compare:render')[0].duration,
    selectToFull: performance.getEntriesByName('compare:full')[0].duration,
  }));
}

export async function runCompareRenderBench(): Promise<BenchRow[]> {
  const server = await startServer({ workers: 2, timeoutMs: 30_000 });
  const browser = await launchChromium({ width: 1440, height: 900 });
  try {
    // 20 runs of 9,999 steps = 10,000 recorded points each, with different steps so the curves differ.
    const steps = Array.from({ length: RUNS }, (_, i) => Number((0.0004 * (i + 1)).toFixed(4)));
    const setup = {
      name: `compare bench: ${RUNS} runs x ${POINTS} points`,
      problem: { kind: 'gaussian-kl', target: { mean: [0], cov: [[1]] }, init: { mean: [10], cov: [[100]] } },
      scheme: { kind: 'fb', step: steps[0] },
      iterations: POINTS - 1,
      seeds: [0],
      sweep: { 'scheme.step': steps },
    };
    const t0 = performance.now();
    const rec = await api<SetupRecord>(server, 'saveSetup', { setup });
    const { runIds } = await api<{ runIds: number[] }>(server, 'queueSetup', { setupId: rec.id });
    for (;;) {
      const runs = await api<RunSummary[]>(server, 'listRuns', { setupId: rec.id });
      const bad = runs.find((r) => r.status !== 'done' && r.status !== 'queued' && r.status !== 'running');
      if (bad) throw new Error(`bench run #${bad.id} ended ${bad.status}: ${bad.error ?? ''}`);
      if (runs.every((r) => r.status === 'done')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const fillMs = performance.now() - t0;

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Warm-up (Chromium's code cache, SQLite page cache), then alternate baseline and full selections.
    await measure(page, server.origin, server.token, runIds.slice(0, 1));
    await measure(page, server.origin, server.token, runIds);
    const full: Sample[] = [];
    const base: Sample[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      base.push(await measure(page, server.origin, server.token, runIds.slice(0, 1)));
      full.push(await measure(page, server.origin, server.token, runIds));
    }
    // Selection changes in the open page: 1 run <-> 20 runs.
    const switchFull: number[] = [];
    const switchBase: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      switchBase.push((await measureSwitch(page, runIds.slice(0, 1))).selectToDrawn);
      switchFull.push((await measureSwitch(page, runIds)).selectToDrawn);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'bench-compare-20x10000.png') });
    if (errors.length) throw new Error(`page errors during the bench: ${errors.join('; ')}`);

    const f = full[full.length - 1];
    if (f.series !== RUNS || f.points < RUNS * POINTS * 0.99) throw new Error(`expected ${RUNS} series of ${POINTS} points, the chart holds ${f.series} series with ${f.points} points`);
    const sel = median(full.map((s) => s.selectToDrawn));
    const nav = median(full.map((s) => s.navToDrawn));
    const fullRes = median(full.map((s) => s.selectToFull));
    const data = median(full.map((s) => s.selectToData));
    const pts = `${RUNS} runs x ${POINTS.toLocaleString('en-US')} points`;
    return [
      {
        name: `Compare first render on page load, ${pts} (view mounted -> chart 'finished')`,
        value: sel,
        unit: 'ms',
        baseline: { label: '1 run', value: median(base.map((s) => s.selectToDrawn)) },
        target: `< ${TARGET_MS} ms`,
        pass: sel < TARGET_MS,
        note: `median of ${SAMPLES} page loads of the deep link; the first picture draws series thinned to ${2048} points (getMetrics maxPoints), of which ${Math.round(data)} ms is waiting for the server (run list + getMetrics over HTTP)`,
      },
      {
        name: `Compare after a selection change in the open view, ${pts} (selection -> chart 'finished')`,
        value: median(switchFull),
        unit: 'ms',
        baseline: { label: '1 run', value: median(switchBase) },
        target: `< ${TARGET_MS} ms`,
        pass: median(switchFull) < TARGET_MS,
        note: `median of ${SAMPLES} switches between 1 run and ${RUNS} runs (#/compare?runs=... changes, no reload)`,
      },
      {
        name: `Compare full resolution, ${pts} (selection -> chart 'finished' with every point)`,
        value: fullRes,
        unit: 'ms',
        baseline: { label: '1 run', value: median(base.map((s) => s.selectToFull)) },
        note: `the full series (${f.points.toLocaleString('en-US')} points, LTTB-sampled by ECharts) replace the preview in a second round`,
      },
      {
        name: `Compare page load, ${RUNS} runs x ${POINTS.toLocaleString('en-US')} points (navigation -> chart 'finished')`,
        value: nav,
        unit: 'ms',
        baseline: { label: '1 run', value: median(base.map((s) => s.navToDrawn)) },
        note: 'includes loading and starting the app bundle',
      },
      {
        name: `fill the database: ${RUNS} runs x ${POINTS.toLocaleString('en-US')} iterations through the worker pool`,
        value: fillMs,
        unit: 'ms',
        note: 'setup cost of this benchmark (2 workers), not a target',
      },
    ];
  } finally {
    await browser.close();
    await server.dispose();
  }
}
