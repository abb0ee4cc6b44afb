// What Compare draws, as plain data (one function for the chart and for the figure export, so the exported
// figure is what is on screen): per-run curves (x = iteration, time t = k x step, or wall time; smoothed by an
// EMA with the raw curve kept) or per-group centers with bands; colors from a 20-color palette, then dash
// patterns cycling after it so that the 21st curve is not the 1st again. Also the ECharts series of it.
import type { GroupedSeries, ReferenceLine } from '../../../src/api';
import type { FigureCurve, FigureInput } from '../../../src/charts/figure';
import { ema, type Curve, type XMode } from './compareOptions';

/** 20 distinguishable colors (Tableau 10, then its lighter/darker companions). */
export const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#7f7f7f',
  '#1f4e79', '#b35806', '#8c1c13', '#2a7f62', '#2f6b2f', '#a8860b', '#6a3d9a', '#c51b7d', '#5e3c21', '#17becf',
];
/** Line patterns after the palette: solid, then dashed, dotted, dash-dot. */
export const DASHES: (string | number[])[] = ['solid', [8, 4], [2, 3], [10, 3, 2, 3]];
export const REFERENCE_COLOR = '#5b6573';

export const colorAt = (i: number): string => PALETTE[i % PALETTE.length];
export const dashAt = (i: number): string | number[] => DASHES[Math.floor(i / PALETTE.length) % DASHES.length];

export interface DrawnCurve {
  readonly id: string;
  readonly label: string;
  readonly runId: number;
  readonly bound: boolean;
  readonly color: string;
  readonly dash: string | number[];
  readonly x: number[];
  /** Smoothed when smoothing is on. */
  readonly y: number[];
  /** The raw values when smoothed (drawn faint behind). */
  readonly raw?: number[];
}

export interface DrawnGroup {
  readonly id: string;
  readonly label: string;
  readonly bound: boolean;
  readonly color: string;
  readonly dash: string | number[];
  readonly series: GroupedSeries;
  readonly rawCenter?: number[];
}

export interface Drawn {
  readonly curves: DrawnCurve[];
  readonly groups: DrawnGroup[];
  readonly xLabel: string;
  /** Runs drawn over iterations because they have no step (x = time). */
  readonly noStep: number[];
}

export interface DrawnInput {
  /** Curves in selection order (bounds after their run's curve). */
  readonly curves: readonly Curve[];
  readonly runIds: readonly number[];
  /** null when ungrouped. */
  readonly groups: readonly GroupedSeries[] | null;
  readonly boundGroups: readonly GroupedSeries[];
  readonly xMode: XMode;
  readonly smoothing: number;
  readonly stepOf: (runId: number) => number | undefined;
  readonly labelOf: (runId: number) => string;
  /** Legend name of a bound metric (one entry toggles that bound for every run). */
  readonly boundLabel: (metric: string) => string;
}

/** Wall-time unit for the x axis: milliseconds for short runs, seconds otherwise. */
export function wallUnit(curves: Iterable<Curve>): { unit: 'ms' | 's'; scale: number } {
  let max = 0;
  for (const c of curves) if (c.wallMs.length) max = Math.max(max, c.wallMs[c.wallMs.length - 1]);
  return max < 2000 ? { unit: 'ms', scale: 1 } : { unit: 's', scale: 1e-3 };
}

export function drawnOf(d: DrawnInput): Drawn {
  const w = d.smoothing;
  const noStep: number[] = [];
  if (d.groups) {
    const index = new Map(d.groups.map((g, i) => [JSON.stringify(g.key), i]));
    const smooth = (g: GroupedSeries): GroupedSeries => (w > 0 ? { ...g, center: ema(g.center, w), lo: ema(g.lo, w), hi: ema(g.hi, w) } : g);
    const groups: DrawnGroup[] = d.groups.map((g, i) => ({ id: `group-${i}`, label: g.label, bound: false, color: colorAt(i), dash: dashAt(i), series: smooth(g), rawCenter: w > 0 ? g.center : undefined }));
    d.boundGroups.forEach((g, j) => {
      const i = index.get(JSON.stringify(g.key)) ?? j;
      groups.push({ id: `gbound-${j}`, label: d.boundLabel(g.metric), bound: true, color: colorAt(i), dash: 'dashed', series: g });
    });
    const xLabel = d.xMode === 'wall' ? 'wall time (s)' : d.xMode === 'time' ? 'time t = k × step' : 'iteration k';
    return { curves: [], groups, xLabel, noStep };
  }
  const wall = wallUnit(d.curves);
  const curves: DrawnCurve[] = d.curves.map((c) => {
    const i = Math.max(0, d.runIds.indexOf(c.runId));
    let x: number[];
    if (d.xMode === 'wall') x = c.wallMs.map((v) => v * wall.scale);
    else if (d.xMode === 'time') {
      const h = d.stepOf(c.runId);
      if (h === undefined && !c.bound) noStep.push(c.runId);
      x = h === undefined ? c.iterations : c.iterations.map((k) => k * h);
    } else x = c.iterations;
    const smooth = w > 0 && !c.bound;
    return {
      id: `${c.bound ? 'bound' : 'run'}-${c.runId}-${c.metric}`,
      label: c.bound ? d.boundLabel(c.metric) : d.labelOf(c.runId),
      runId: c.runId,
      bound: c.bound,
      color: colorAt(i),
      dash: c.bound ? 'dashed' : dashAt(i),
      x,
      y: smooth ? ema(c.values, w) : c.values,
      raw: smooth ? c.values : undefined,
    };
  });
  const xLabel = d.xMode === 'wall' ? `wall time (${wall.unit})` : d.xMode === 'time' ? 'time t = k × step' : 'iteration k';
  return { curves, groups: [], xLabel, noStep };
}

type Pair = [number, number];
const pairs = (x: readonly number[], y: readonly number[], log: boolean): Pair[] => {
  const out: Pair[] = [];
  // A log axis cannot show y <= 0 (e.g. KL exactly 0 at the target): those points are left out.
  for (let i = 0; i < y.length; i++) if (Number.isFinite(y[i]) && (!log || y[i] > 0)) out.push([x[i], y[i]]);
  return out;
};

const line = (id: string, name: string, data: unknown[], color: string, extra: Record<string, unknown>): Record<string, unknown> => ({
  id, name, type: 'line', data, showSymbol: false, symbol: 'none', sampling: 'lttb', animation: false, color, emphasis: { disabled: true }, ...extra,
});

/** ECharts series of what is drawn, then the reference lines across the x range. */
export function seriesOf(d: Drawn, log: boolean, references: readonly ReferenceLine[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const g of d.groups) {
    const s = g.series;
    const ok = (j: number) => Number.isFinite(s.center[j]) && (!log || s.center[j] > 0);
    if (!g.bound && Number.isFinite(s.lo[0] + s.hi[0]) && s.lo.some((v, j) => v !== s.hi[j])) {
      // The band: an invisible lower edge and the width stacked on it, filled (same legend name as the center).
      const okBand = (j: number) => Number.isFinite(s.lo[j]) && Number.isFinite(s.hi[j]) && (!log || s.lo[j] > 0);
      const lo: Pair[] = [];
      const width: Pair[] = [];
      s.x.forEach((x, j) => {
        if (!okBand(j)) return;
        lo.push([x, s.lo[j]]);
        width.push([x, s.hi[j] - s.lo[j]]);
      });
      const band = { stack: `${g.id}-band`, silent: true, tooltip: { show: false }, lineStyle: { opacity: 0 }, z: 0, sampling: undefined };
      out.push(line(`${g.id}-lo`, g.label, lo, g.color, band));
      out.push(line(`${g.id}-width`, g.label, width, g.color, { ...band, areaStyle: { color: g.color, opacity: 0.2 } }));
    }
    if (g.rawCenter) out.push(line(`${g.id}-raw`, g.label, pairs(s.x, g.rawCenter, log), g.color, { silent: true, tooltip: { show: false }, lineStyle: { width: 1, color: g.color, opacity: 0.25 }, z: 1 }));
    const data = s.x.map((x, j) => [x, s.center[j], s.lo[j], s.hi[j], s.count[j]]).filter((_, j) => ok(j));
    out.push(line(g.id, g.label, data, g.color, { encode: { x: 0, y: 1 }, sampling: undefined, silent: g.bound, lineStyle: { width: g.bound ? 1.2 : 2, color: g.color, type: g.dash }, z: 2, wgf: { group: s.key, runIds: s.runIds, bound: g.bound } }));
  }
  for (const c of d.curves) {
    if (c.raw) out.push(line(`raw-${c.id}`, c.label, pairs(c.x, c.raw, log), c.color, { silent: true, tooltip: { show: false }, lineStyle: { width: 1, color: c.color, opacity: 0.25 }, z: 1 }));
    out.push(line(c.id, c.label, pairs(c.x, c.y, log), c.color, {
      silent: c.bound,
      lineStyle: { width: c.bound ? 1.2 : 1.6, color: c.color, type: c.dash, opacity: c.bound ? 0.85 : 1 },
      z: c.bound ? 1 : 2,
      // Read back by tests and the tooltip: which run and metric this series draws.
      wgf: { runId: c.runId, bound: c.bound },
    }));
  }
  let xMax = 0;
  let xMin = Infinity;
  for (const s of out) for (const p of s.data as number[][]) {
    if (p[0] > xMax) xMax = p[0];
    if (p[0] < xMin) xMin = p[0];
  }
  if (out.length) {
    references.forEach((r, i) => {
      if (log && !(r.value > 0)) return;
      out.push(line(`ref-${i}`, r.label, [[Math.min(0, xMin), r.value], [xMax, r.value]], REFERENCE_COLOR, {
        silent: true, tooltip: { show: false }, z: 0, lineStyle: { width: 1.2, color: REFERENCE_COLOR, type: [6, 4] }, wgf: { reference: true, metric: r.metric, value: r.value },
      }));
    });
  }
  return out;
}

/** The figure (src/charts/figure.ts) of what is drawn, leaving out what the legend hides. */
export function figureInputOf(d: Drawn, o: { metricLabel: string; log: boolean; references: readonly ReferenceLine[]; hidden: ReadonlySet<string>; width: number; height: number; title?: string }): FigureInput {
  const shown = (label: string) => !o.hidden.has(label);
  const groups = d.groups.filter((g) => !g.bound && shown(g.label)).map((g) => g.series);
  const curves: FigureCurve[] = [
    ...d.curves.filter((c) => shown(c.label)).map((c) => ({ label: c.bound ? `${c.label} #${c.runId}` : c.label, x: c.x, y: c.y })),
    ...d.groups.filter((g) => g.bound && shown(g.label)).map((g) => ({ label: `${g.label}: ${g.series.label}`, x: g.series.x, y: g.series.center })),
  ];
  return { title: o.title, metricLabel: o.metricLabel, xLabel: d.xLabel, log: o.log, groups, curves, references: o.references.filter((r) => shown(r.label)), width: o.width, height: o.height };
}
