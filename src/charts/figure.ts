// One chart spec for a figure of metric curves: an ECharts option built from plain data (grouped curves with
// bands, single runs, reference lines), used by Compare's figure export in the renderer and by the headless
// `wgflab figure` (server-side SVG), so both draw the same figure. Also the CSV of exactly what is drawn.
import type { GroupedSeries, ReferenceLine } from '../api';

export interface FigureCurve {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface FigureInput {
  readonly title?: string;
  readonly metricLabel: string;
  readonly xLabel: string;
  readonly log: boolean;
  readonly groups?: readonly GroupedSeries[];
  readonly curves?: readonly FigureCurve[];
  readonly references?: readonly ReferenceLine[];
  readonly width: number;
  readonly height: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const DASHES = ['solid', 'dashed', 'dotted'] as const;

const pairs = (x: readonly number[], y: readonly number[], log: boolean): [number, number][] =>
  x.map((v, i): [number, number] => [v, y[i]]).filter(([, v]) => Number.isFinite(v) && (!log || v > 0));

/** The ECharts option (plain JSON) of the figure. */
export function figureOption(f: FigureInput): Record<string, unknown> {
  const series: Record<string, unknown>[] = [];
  (f.groups ?? []).forEach((g, i) => {
    const color = PALETTE[i % PALETTE.length];
    const stack = `band-${i}`;
    const lo = pairs(g.x, g.lo, f.log);
    const width = g.x.map((x, j): [number, number] => [x, g.hi[j] - g.lo[j]]).filter((_, j) => Number.isFinite(g.lo[j]) && (!f.log || g.lo[j] > 0));
    // The band: an invisible lower edge and the width stacked on it, filled.
    series.push({ name: `${g.label} band`, type: 'line', data: lo, stack, symbol: 'none', lineStyle: { opacity: 0 }, silent: true, legendHoverLink: false, tooltip: { show: false } });
    series.push({ name: `${g.label} band`, type: 'line', data: width, stack, symbol: 'none', lineStyle: { opacity: 0 }, areaStyle: { color, opacity: 0.18 }, silent: true, tooltip: { show: false } });
    series.push({ name: g.label, type: 'line', data: pairs(g.x, g.center, f.log), symbol: 'none', color, lineStyle: { width: 2, type: DASHES[Math.floor(i / PALETTE.length) % DASHES.length] } });
  });
  const offset = f.groups?.length ?? 0;
  (f.curves ?? []).forEach((c, i) => {
    const k = offset + i;
    series.push({ name: c.label, type: 'line', data: pairs(c.x, c.y, f.log), symbol: 'none', color: PALETTE[k % PALETTE.length], lineStyle: { width: 1.5, type: DASHES[Math.floor(k / PALETTE.length) % DASHES.length] } });
  });
  for (const r of f.references ?? []) {
    if (f.log && !(r.value > 0)) continue;
    series.push({ name: r.label, type: 'line', data: [], color: '#444', markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#444' }, label: { formatter: r.label, position: 'insideEndTop' }, data: [{ yAxis: r.value }] } });
  }
  const legend = series.map((s) => s.name as string).filter((n, i, all) => !n.endsWith(' band') && all.indexOf(n) === i);
  return {
    animation: false,
    backgroundColor: '#ffffff',
    title: f.title ? { text: f.title, left: 'center', textStyle: { fontSize: 14 } } : undefined,
    grid: { left: 70, right: 24, top: f.title ? 40 : 24, bottom: 80 },
    legend: { type: 'plain', bottom: 0, data: legend },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', name: f.xLabel, nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: f.log ? 'log' : 'value', name: f.metricLabel, nameLocation: 'middle', nameGap: 52, scale: !f.log },
    series,
  };
}

const csvField = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Long-format CSV of what the figure draws: curve,x,y (groups add lo, hi and the run count). */
export function figureCsv(f: FigureInput): string {
  const lines = ['curve,x,y,lo,hi,runs'];
  for (const g of f.groups ?? []) g.x.forEach((x, i) => lines.push(`${csvField(g.label)},${x},${g.center[i]},${g.lo[i]},${g.hi[i]},${g.count[i]}`));
  for (const c of f.curves ?? []) c.x.forEach((x, i) => lines.push(`${csvField(c.label)},${x},${c.y[i]},,,1`));
  for (const r of f.references ?? []) lines.push(`${csvField(r.label)},,${r.value},,,`);
  return `${lines.join('\n')}\n`;
}
