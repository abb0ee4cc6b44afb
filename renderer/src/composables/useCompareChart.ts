// The ECharts line chart of the Compare view: one series per run ([x, y] pairs, LTTB sampling), bound series
// dashed in their run's color (same legend name, so one legend entry toggles both), log or linear y,
// iteration or wall-time x; reference lines (a known minimum) as gray dashed horizontal lines with their own
// legend entry (click to hide). Tree-shaken ECharts: core + LineChart + the components used + canvas.
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { ReferenceLine } from '../../../src/api';
import type { Curve, XMode } from './useCompare';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, DataZoomComponent, CanvasRenderer]);

/** 20 distinguishable colors (Tableau 10, then its lighter/darker companions). */
export const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#7f7f7f',
  '#1f4e79', '#b35806', '#8c1c13', '#2a7f62', '#2f6b2f', '#a8860b', '#6a3d9a', '#c51b7d', '#5e3c21', '#17becf',
];

const REFERENCE_COLOR = '#5b6573';

export interface ChartInput {
  curves: Ref<ReadonlyMap<string, Curve>>;
  runIds: Ref<readonly number[]>;
  metric: Ref<string>;
  /** Axis name of the metric (its label). */
  metricLabel: Ref<string>;
  references: Ref<readonly ReferenceLine[]>;
  xMode: Ref<XMode>;
  logY: Ref<boolean>;
  version: Ref<number>;
  /** Id of the load whose curves are in place; onDrawn is called once per id. */
  readyId: Ref<number>;
  labelOf: (runId: number) => string;
  /** Called after the chart drew the data of the newest load. */
  onDrawn: (readyId: number) => void;
}

type Pair = [number, number];

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
/**
 * Log axis over whole decades with a tick every `step` decades, the ends on ticks (ECharts alone rounds to
 * 10-decade steps and labels an end that is off the ticks).
 */
export function logAxisRange(series: readonly { data: Pair[] }[]): { min: number; max: number; interval: number } | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) for (const p of s.data) {
    if (p[1] > 0) {
      if (p[1] < lo) lo = p[1];
      if (p[1] > hi) hi = p[1];
    }
  }
  if (!(lo <= hi)) return undefined;
  let a = Math.floor(Math.log10(lo));
  let b = Math.ceil(Math.log10(hi));
  if (a === b) b++;
  const span = b - a;
  const step = span <= 8 ? 1 : span <= 16 ? 2 : span <= 40 ? 5 : 10;
  a = Math.floor(a / step) * step;
  b = Math.ceil(b / step) * step;
  return { min: 10 ** a, max: 10 ** b, interval: step };
}

/** Axis labels: powers of ten as 1e-6, other values with 4 significant digits. */
const axisLabel = (v: number): string => {
  if (v > 0) {
    const e = Math.log10(v);
    if (Math.abs(e - Math.round(e)) < 1e-9) return Math.abs(e) >= 3 ? `1e${Math.round(e)}` : String(Number(v.toPrecision(1)));
  }
  return tick(v);
};
/** Linear axis ticks: short, no trailing zeros (180, 0.25, 1.5e-7). */
const tick = (v: number): string => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
};
const fmt = (v: number) => (v === 0 ? '0' : Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5 ? v.toExponential(3) : v.toPrecision(4));

/** Wall-time unit for the x axis: milliseconds for short runs, seconds otherwise. */
export function wallUnit(curves: Iterable<Curve>): { unit: 'ms' | 's'; scale: number } {
  let max = 0;
  for (const c of curves) if (c.wallMs.length) max = Math.max(max, c.wallMs[c.wallMs.length - 1]);
  return max < 2000 ? { unit: 'ms', scale: 1 } : { unit: 's', scale: 1e-3 };
}

export function pairs(c: Curve, xMode: XMode, logY: boolean, wallScale = 1e-3): Pair[] {
  const xs = xMode === 'wall' ? c.wallMs : c.iterations;
  const scale = xMode === 'wall' ? wallScale : 1;
  const out: Pair[] = [];
  for (let i = 0; i < c.values.length; i++) {
    const y = c.values[i];
    // A log axis cannot show y <= 0 (e.g. KL exactly 0 at the target): those points are left out.
    if (logY && !(y > 0)) continue;
    out.push([xs[i] * scale, y]);
  }
  return out;
}

export function useCompareChart(el: Ref<HTMLElement | null>, input: ChartInput) {
  let chart: echarts.ECharts | undefined;
  let observer: ResizeObserver | undefined;
  let drawnLoad = -1;

  function colorOf(runId: number): string {
    const i = input.runIds.value.indexOf(runId);
    return PALETTE[(i < 0 ? runId : i) % PALETTE.length];
  }

  function buildSeries(wallScale: number) {
    const x = input.xMode.value;
    const log = input.logY.value;
    const series: Record<string, unknown>[] = [];
    const ordered = [...input.curves.value.values()].sort((a, b) => input.runIds.value.indexOf(a.runId) - input.runIds.value.indexOf(b.runId) || Number(a.bound) - Number(b.bound));
    for (const c of ordered) {
      const color = colorOf(c.runId);
      series.push({
        id: `${c.bound ? 'bound' : 'run'}-${c.runId}-${c.metric}`,
        name: input.labelOf(c.runId),
        type: 'line',
        data: pairs(c, x, log, wallScale),
        showSymbol: false,
        symbol: 'none',
        sampling: 'lttb',
        animation: false,
        silent: c.bound,
        color,
        lineStyle: { width: c.bound ? 1.2 : 1.6, color, type: c.bound ? 'dashed' : 'solid', opacity: c.bound ? 0.85 : 1 },
        emphasis: { disabled: true },
        z: c.bound ? 1 : 2,
        // Read back by tests and the tooltip: which run and metric this series draws.
        wgf: { runId: c.runId, metric: c.metric, bound: c.bound },
      });
    }
    // Reference lines across the drawn x range (a log axis cannot show a value <= 0).
    let xMax = 0;
    for (const s of series) for (const p of s.data as Pair[]) if (p[0] > xMax) xMax = p[0];
    if (series.length) {
      input.references.value.forEach((r, i) => {
        if (log && !(r.value > 0)) return;
        series.push({
          id: `ref-${i}`,
          name: r.label,
          type: 'line',
          data: [[0, r.value], [xMax, r.value]],
          showSymbol: false,
          symbol: 'none',
          animation: false,
          silent: true,
          color: REFERENCE_COLOR,
          lineStyle: { width: 1.2, color: REFERENCE_COLOR, type: [6, 4] },
          emphasis: { disabled: true },
          tooltip: { show: false },
          z: 0,
          wgf: { reference: true, metric: r.metric, value: r.value },
        });
      });
    }
    return series;
  }

  function render() {
    if (!chart) return;
    const x = input.xMode.value;
    const metric = input.metric.value;
    const wall = wallUnit(input.curves.value.values());
    const series = buildSeries(wall.scale);
    const logRange = input.logY.value ? logAxisRange(series as { data: Pair[] }[]) : undefined;
    const newest = input.readyId.value;
    if (newest > 0 && newest !== drawnLoad) {
      chart.off('finished');
      chart.on('finished', () => {
        if (drawnLoad === newest) return;
        drawnLoad = newest;
        chart?.off('finished');
        input.onDrawn(newest);
      });
    }
    chart.setOption(
      {
        animation: false,
        color: PALETTE,
        textStyle: { fontFamily: 'Inter, system-ui, sans-serif', fontSize: 11 },
        grid: { left: 64, right: 24, top: 56, bottom: 56, containLabel: false },
        legend: { type: 'scroll', top: 4, left: 8, right: 8, icon: 'rect', itemWidth: 16, itemHeight: 3, textStyle: { fontSize: 11 } },
        tooltip: {
          trigger: 'axis',
          axisPointer: { type: 'line', animation: false },
          confine: true,
          className: 'chart-tip',
          formatter: (params: unknown) => {
            const ps = ((Array.isArray(params) ? params : [params]) as { seriesId: string; seriesName: string; value: Pair; color: string }[]).filter((p) => !p.seriesId.startsWith('ref-'));
            if (!ps.length) return '';
            const head = `<div class="tip-head">${x === 'wall' ? `t = ${fmt(ps[0].value[0])} ${wall.unit}` : `k = ${Math.round(ps[0].value[0])}`}</div>`;
            const rows = ps.slice(0, 24).map((p) => `<div class="tip-row${p.seriesId.startsWith('bound') ? ' tip-bound' : ''}"><span class="tip-name">${esc(p.seriesName)}${p.seriesId.startsWith('bound') ? ' (bound)' : ''}</span><span class="tip-val">${fmt(p.value[1])}</span></div>`);
            return head + rows.join('');
          },
        },
        xAxis: {
          type: 'value',
          name: x === 'wall' ? `wall time (${wall.unit})` : 'iteration k',
          nameLocation: 'middle',
          nameGap: 28,
          min: 0,
          // Iterations end exactly at the last one; wall time ends at a round number.
          max: x === 'wall' ? undefined : 'dataMax',
          axisLabel: { formatter: tick },
          axisLine: { onZero: false },
          splitLine: { lineStyle: { color: '#eef0f3' } },
        },
        yAxis: {
          type: input.logY.value ? 'log' : 'value',
          name: input.metricLabel.value || metric,
          nameLocation: 'middle',
          nameGap: 48,
          scale: true,
          ...(logRange ?? {}),
          // Few decades: minor ticks at 2..9 x 10^k help to read values.
          minorTick: { show: Boolean(logRange && Math.log10(logRange.max / logRange.min) <= 3) },
          minorSplitLine: { show: Boolean(logRange && Math.log10(logRange.max / logRange.min) <= 3), lineStyle: { color: '#f4f5f7' } },
          axisLabel: { formatter: axisLabel },
          splitLine: { lineStyle: { color: '#eef0f3' } },
        },
        dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }, { type: 'slider', xAxisIndex: 0, height: 14, bottom: 8, filterMode: 'none', showDataShadow: false }],
        series,
      },
      { replaceMerge: ['series'] },
    );
  }

  onMounted(() => {
    if (!el.value) return;
    chart = echarts.init(el.value, undefined, { renderer: 'canvas' });
    // Tests and the benchmark read the chart through its element.
    Object.defineProperty(el.value, 'wgfChart', { value: chart, configurable: true });
    observer = new ResizeObserver(() => chart?.resize());
    observer.observe(el.value);
    render();
  });
  onBeforeUnmount(() => {
    observer?.disconnect();
    chart?.dispose();
    chart = undefined;
  });
  watch([input.version, input.xMode, input.logY, input.metric, input.references], render);

  function exportPng(fileName: string) {
    if (!chart) return;
    download(chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' }), fileName);
  }

  return { render, exportPng, colorOf };
}

export function download(href: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
