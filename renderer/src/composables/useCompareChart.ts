// The ECharts line chart of the Compare view, drawn from compareSeries.ts (per-run curves or per-group centers
// with bands): log or linear y, x = iteration, time t = k x step or wall time; theory bounds dashed with one legend
// entry per bound; reference lines (a known minimum) gray dashed with their own legend entry (click to hide); a
// tooltip listing every run (or group, with its band and run count) at x. Tree-shaken ECharts: core + LineChart
// + the components used + canvas.
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { ReferenceLine } from '../../../src/api';
import { PALETTE, seriesOf, type Drawn } from './compareSeries';
import type { XMode } from './useCompare';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, DataZoomComponent, CanvasRenderer]);

export { PALETTE };

export interface ChartInput {
  /** What to draw (recomputed when version changes). */
  drawn: () => Drawn;
  runIds: Ref<readonly number[]>;
  metric: Ref<string>;
  /** Axis name of the metric (its label). */
  metricLabel: Ref<string>;
  references: Ref<readonly ReferenceLine[]>;
  xMode: Ref<XMode>;
  logY: Ref<boolean>;
  /** Changes whenever what is drawn changes. */
  version: Ref<unknown>;
  /** Id of the load whose data is in place; onDrawn is called once per id. */
  readyId: Ref<number>;
  /** Called after the chart drew the data of the newest load. */
  onDrawn: (readyId: number) => void;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/**
 * Log axis over whole decades with a tick every `step` decades, the ends on ticks (ECharts alone rounds to
 * 10-decade steps and labels an end that is off the ticks).
 */
export function logAxisRange(columns: Iterable<readonly number[]>): { min: number; max: number; interval: number } | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const ys of columns) for (const y of ys) {
    if (y > 0) {
      if (y < lo) lo = y;
      if (y > hi) hi = y;
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

function* yColumns(d: Drawn): Generator<readonly number[]> {
  for (const c of d.curves) yield c.y;
  for (const g of d.groups) {
    yield g.series.center;
    if (!g.bound) {
      yield g.series.lo;
      yield g.series.hi;
    }
  }
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

type TipParam = { seriesId: string; seriesName: string; value: number[]; color: string };
function tooltip(params: unknown, d: Drawn, x: XMode): string {
  const ps = ((Array.isArray(params) ? params : [params]) as TipParam[]).filter((p) => !/^ref-|^raw-|-raw$|-lo$|-width$/.test(p.seriesId));
  if (!ps.length) return '';
  const x0 = ps[0].value[0];
  const head = `<div class="tip-head">${x === 'iteration' ? `k = ${Math.round(x0)}` : `${x === 'time' ? 't' : 'wall'} = ${fmt(x0)}${x === 'wall' ? ` ${d.xLabel.includes('(ms)') ? 'ms' : 's'}` : ''}`}</div>`;
  const rows = ps.slice(0, 30).map((p) => {
    const bound = p.seriesId.startsWith('bound') || p.seriesId.startsWith('gbound');
    const band = p.value.length >= 5 && !bound && p.value[2] !== p.value[3] ? ` <span class="tip-band">[${fmt(p.value[2])}, ${fmt(p.value[3])}] n=${p.value[4]}</span>` : '';
    return `<div class="tip-row${bound ? ' tip-bound' : ''}"><span class="tip-name">${esc(p.seriesName)}</span><span class="tip-val">${fmt(p.value[1])}${band}</span></div>`;
  });
  return head + rows.join('') + (ps.length > 30 ? `<div class="tip-row muted">… ${ps.length - 30} more</div>` : '');
}

export function useCompareChart(el: Ref<HTMLElement | null>, input: ChartInput) {
  let chart: echarts.ECharts | undefined;
  let observer: ResizeObserver | undefined;
  let drawnLoad = -1;
  let last: Drawn | undefined;

  function colorOf(runId: number): string {
    const i = input.runIds.value.indexOf(runId);
    return PALETTE[(i < 0 ? runId : i) % PALETTE.length];
  }

  function render() {
    if (!chart) return;
    const x = input.xMode.value;
    const d = input.drawn();
    last = d;
    const series = seriesOf(d, input.logY.value, input.references.value);
    const logRange = input.logY.value ? logAxisRange(yColumns(d)) : undefined;
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
        tooltip: { trigger: 'axis', axisPointer: { type: 'line', animation: false }, confine: true, className: 'chart-tip', formatter: (p: unknown) => tooltip(p, d, x) },
        xAxis: {
          type: 'value',
          name: d.xLabel,
          nameLocation: 'middle',
          nameGap: 28,
          min: 0,
          // Iterations end exactly at the last one; times end at a round number.
          max: x === 'iteration' ? 'dataMax' : undefined,
          axisLabel: { formatter: tick },
          axisLine: { onZero: false },
          splitLine: { lineStyle: { color: '#eef0f3' } },
        },
        yAxis: {
          type: input.logY.value ? 'log' : 'value',
          name: input.metricLabel.value || input.metric.value,
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

  /** Legend entries the user switched off (their curves are not drawn, nor exported). */
  function hidden(): Set<string> {
    const sel = ((chart?.getOption() as { legend?: { selected?: Record<string, boolean> }[] } | undefined)?.legend?.[0]?.selected) ?? {};
    return new Set(Object.entries(sel).filter(([, on]) => !on).map(([n]) => n));
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

  return { render, colorOf, hidden, drawn: () => last ?? input.drawn() };
}

export function download(href: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
