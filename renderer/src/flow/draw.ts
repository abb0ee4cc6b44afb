// Canvas drawing of one Flow panel: a background (axes, the target's density shading and contours, or its
// dashed ellipses / curve) drawn once into an offscreen canvas, and per frame the measure over it (particles as
// one filled path of small squares, a histogram, covariance ellipses, a density curve, a grid heatmap).
import type { Frame } from './frames';
import { binCount, contourSegments, ellipsePoints, histogram, niceTicks, tickLabel } from './geometry';
import { densityCurve, densityGrid, hpdLevels, marginal1, targetGaussian, type Box, type DensityGrid, type Target } from './targets';
import type { PanelKind } from './view-box';

export interface PanelSpec {
  readonly kind: PanelKind;
  readonly color: string;
  /** Data ranges: x (and y for 2-D kinds; 1-D kinds get y from yMax). */
  readonly box: Box;
  readonly cx: number;
  readonly cy: number;
  readonly target: Target | null;
  /** Upper end of the y axis of 1-D kinds. */
  readonly yMax: number;
  /** Axis names. */
  readonly xName: string;
  readonly yName: string;
}

/** Margins of the plot area, CSS pixels. */
const M = { left: 46, right: 10, top: 8, bottom: 34 };
/** Masses enclosed by the target's contours (highest-density regions). */
export const CONTOUR_MASSES = [0.25, 0.5, 0.75, 0.9, 0.99];
const GRID_CELLS = 96;

export interface Transform {
  readonly sx: (x: number) => number;
  readonly sy: (y: number) => number;
  readonly plot: { x: number; y: number; w: number; h: number };
}

export function transformOf(spec: PanelSpec, w: number, h: number): Transform {
  const plot = { x: M.left, y: M.top, w: Math.max(10, w - M.left - M.right), h: Math.max(10, h - M.top - M.bottom) };
  const { x0, x1 } = spec.box;
  const [y0, y1] = is1d(spec.kind) ? [0, spec.yMax] : [spec.box.y0, spec.box.y1];
  const ax = plot.w / (x1 - x0);
  const ay = plot.h / (y1 - y0);
  return { plot, sx: (x) => plot.x + (x - x0) * ax, sy: (y) => plot.y + plot.h - (y - y0) * ay };
}

export const is1d = (k: PanelKind): boolean => k === 'histogram' || k === 'normal1d' || k === 'grid1d';

function axes(ctx: CanvasRenderingContext2D, spec: PanelSpec, t: Transform): void {
  const { plot } = t;
  const [y0, y1] = is1d(spec.kind) ? [0, spec.yMax] : [spec.box.y0, spec.box.y1];
  ctx.font = '10px Inter, system-ui, sans-serif';
  ctx.fillStyle = '#667085';
  ctx.strokeStyle = '#eef0f3';
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of niceTicks(spec.box.x0, spec.box.x1, Math.max(2, Math.round(plot.w / 70)))) {
    const x = Math.round(t.sx(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, plot.y);
    ctx.lineTo(x, plot.y + plot.h);
    ctx.stroke();
    ctx.fillText(tickLabel(v), x, plot.y + plot.h + 4);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of niceTicks(y0, y1, Math.max(2, Math.round(plot.h / 50)))) {
    const y = Math.round(t.sy(v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(plot.x, y);
    ctx.lineTo(plot.x + plot.w, y);
    ctx.stroke();
    ctx.fillText(tickLabel(v), plot.x - 4, y);
  }
  ctx.strokeStyle = '#c8ccd4';
  ctx.strokeRect(plot.x + 0.5, plot.y + 0.5, plot.w - 1, plot.h - 1);
  ctx.fillStyle = '#344054';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(spec.xName, plot.x + plot.w / 2, plot.y + plot.h + 32);
  ctx.save();
  ctx.translate(11, plot.y + plot.h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(spec.yName, 0, 0);
  ctx.restore();
}

function polyline(ctx: CanvasRenderingContext2D, pts: ArrayLike<number>, t: Transform): void {
  ctx.beginPath();
  for (let q = 0; q < pts.length; q += 2) {
    const x = t.sx(pts[q]);
    const y = t.sy(pts[q + 1]);
    if (q === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
}

/** Density grids and their contours by (target, coordinates, box): panels of one setup share them. */
const densityMemo = new Map<string, { grid: DensityGrid; segments: Float32Array[] }>();
function densityOf(target: Target, spec: PanelSpec): { grid: DensityGrid; segments: Float32Array[] } {
  const { box } = spec;
  const key = `${JSON.stringify(target)}|${spec.cx},${spec.cy}|${box.x0},${box.x1},${box.y0},${box.y1}`;
  let hit = densityMemo.get(key);
  if (!hit) {
    const grid = densityGrid(target, spec.cx, spec.cy, box, GRID_CELLS, GRID_CELLS);
    const segments = grid.max > 0 ? hpdLevels(grid, CONTOUR_MASSES).map((level) => contourSegments(grid.values, grid.nx, grid.ny, level)) : [];
    hit = { grid, segments };
    if (densityMemo.size >= 16) densityMemo.delete(densityMemo.keys().next().value!);
    densityMemo.set(key, hit);
  }
  return hit;
}

/** The target's shading and highest-density contours over the plot (2-D marginal of coordinates cx, cy). */
function targetDensity(ctx: CanvasRenderingContext2D, spec: PanelSpec, t: Transform, target: Target): void {
  const { grid, segments } = densityOf(target, spec);
  if (!(grid.max > 0)) return;
  const img = new ImageData(grid.nx, grid.ny);
  for (let r = 0; r < grid.ny; r++) {
    for (let c = 0; c < grid.nx; c++) {
      const a = grid.values[r * grid.nx + c] / grid.max;
      // Row 0 of the grid is the bottom of the plot.
      const o = 4 * ((grid.ny - 1 - r) * grid.nx + c);
      img.data[o] = 70;
      img.data[o + 1] = 110;
      img.data[o + 2] = 170;
      img.data[o + 3] = Math.round(90 * Math.sqrt(a));
    }
  }
  const tmp = document.createElement('canvas');
  tmp.width = grid.nx;
  tmp.height = grid.ny;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, t.plot.x, t.plot.y, t.plot.w, t.plot.h);
  // Contours: cell-centre units -> data coordinates.
  const dx = (spec.box.x1 - spec.box.x0) / grid.nx;
  const dy = (spec.box.y1 - spec.box.y0) / grid.ny;
  ctx.strokeStyle = 'rgba(40, 70, 120, 0.75)';
  segments.forEach((seg, li) => {
    ctx.lineWidth = li === 1 ? 1.3 : 0.8;
    ctx.beginPath();
    for (let q = 0; q < seg.length; q += 4) {
      ctx.moveTo(t.sx(spec.box.x0 + (seg[q] + 0.5) * dx), t.sy(spec.box.y0 + (seg[q + 1] + 0.5) * dy));
      ctx.lineTo(t.sx(spec.box.x0 + (seg[q + 2] + 0.5) * dx), t.sy(spec.box.y0 + (seg[q + 3] + 0.5) * dy));
    }
    ctx.stroke();
  });
}

/** The target's 1-D marginal density as a filled gray curve (dashed when drawn beside a Gaussian's curve). */
function targetCurve(ctx: CanvasRenderingContext2D, spec: PanelSpec, t: Transform, target: Target, dashed: boolean): void {
  const c = densityCurve(target, spec.cx, spec.box.x0, spec.box.x1, 240);
  ctx.beginPath();
  ctx.moveTo(t.sx(c.xs[0]), t.sy(0));
  for (let q = 0; q < c.xs.length; q++) ctx.lineTo(t.sx(c.xs[q]), t.sy(c.ys[q]));
  ctx.lineTo(t.sx(c.xs[c.xs.length - 1]), t.sy(0));
  if (!dashed) {
    ctx.fillStyle = 'rgba(70, 110, 170, 0.12)';
    ctx.fill();
  }
  ctx.beginPath();
  for (let q = 0; q < c.xs.length; q++) (q ? ctx.lineTo : ctx.moveTo).call(ctx, t.sx(c.xs[q]), t.sy(c.ys[q]));
  ctx.strokeStyle = '#3b5b8c';
  ctx.lineWidth = 1.4;
  ctx.setLineDash(dashed ? [5, 4] : []);
  ctx.stroke();
  ctx.setLineDash([]);
}

function ellipses(ctx: CanvasRenderingContext2D, spec: PanelSpec, t: Transform, mean: number[], cov: number[][], color: string, dashed: boolean): void {
  const { cx: i, cy: j } = spec;
  ctx.strokeStyle = color;
  ctx.setLineDash(dashed ? [5, 4] : []);
  for (const r of [1, 2]) {
    polyline(ctx, ellipsePoints(mean[i], mean[j], cov[i][i], cov[i][j], cov[j][j], r), t);
    ctx.lineWidth = r === 1 ? 1.8 : 1.1;
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

/** Everything that does not change from frame to frame. */
export function drawBackground(ctx: CanvasRenderingContext2D, spec: PanelSpec, w: number, h: number): void {
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h);
  const t = transformOf(spec, w, h);
  ctx.save();
  ctx.beginPath();
  ctx.rect(t.plot.x, t.plot.y, t.plot.w, t.plot.h);
  ctx.clip();
  const target = spec.target;
  if (target) {
    if (spec.kind === 'scatter') targetDensity(ctx, spec, t, target);
    else if (spec.kind === 'histogram' || spec.kind === 'normal1d') targetCurve(ctx, spec, t, target, spec.kind === 'normal1d');
    else if (spec.kind === 'ellipses') {
      const g = targetGaussian(target);
      if (g) ellipses(ctx, spec, t, g.mean, g.cov, '#344054', true);
      else targetDensity(ctx, spec, t, target);
    }
  }
  ctx.restore();
  axes(ctx, spec, t);
}

/** Highest y value a frame needs on a 1-D panel (to grow the axis), 0 for 2-D kinds. */
export function frameYMax(spec: Pick<PanelSpec, 'kind' | 'box' | 'cx'>, f: Frame): number {
  if (spec.kind === 'histogram' && f.kind === 'particles') return histogram(f.positions, f.n, f.dim, spec.cx, spec.box.x0, spec.box.x1, binCount(f.n), f.weights).max;
  if (spec.kind === 'normal1d' && f.kind === 'gaussian') return 1 / Math.sqrt(2 * Math.PI * f.cov[spec.cx][spec.cx]);
  if (spec.kind === 'grid1d' && f.kind === 'grid') return f.masses.reduce((m, v) => Math.max(m, v), 0);
  return 0;
}

/** Highest y value of the target's curve on a 1-D panel. */
export function targetYMax(spec: Pick<PanelSpec, 'kind' | 'box' | 'cx' | 'target'>): number {
  if (!spec.target || !(spec.kind === 'histogram' || spec.kind === 'normal1d')) return 0;
  return densityCurve(spec.target, spec.cx, spec.box.x0, spec.box.x1, 240).max;
}

/** The measure at one frame, over the background already on the canvas. */
export function drawFrame(ctx: CanvasRenderingContext2D, spec: PanelSpec, w: number, h: number, f: Frame): void {
  const t = transformOf(spec, w, h);
  ctx.save();
  ctx.beginPath();
  ctx.rect(t.plot.x, t.plot.y, t.plot.w, t.plot.h);
  ctx.clip();
  if (f.kind === 'particles' && spec.kind === 'scatter') {
    const { positions: p, dim, n } = f;
    const { cx: i, cy: j } = spec;
    const s = n > 5000 ? 1.6 : n > 500 ? 2.2 : 3.2;
    ctx.beginPath();
    for (let q = 0; q < n; q++) ctx.rect(t.sx(p[q * dim + i]) - s / 2, t.sy(p[q * dim + j]) - s / 2, s, s);
    ctx.globalAlpha = n > 500 ? 0.6 : 0.85;
    ctx.fillStyle = spec.color;
    ctx.fill();
    ctx.globalAlpha = 1;
  } else if (f.kind === 'particles' && spec.kind === 'histogram') {
    const hist = histogram(f.positions, f.n, f.dim, spec.cx, spec.box.x0, spec.box.x1, binCount(f.n), f.weights);
    const bw = (hist.hi - hist.lo) / hist.density.length;
    ctx.beginPath();
    hist.density.forEach((d, b) => {
      if (d > 0) ctx.rect(t.sx(hist.lo + b * bw), t.sy(d), t.sx(hist.lo + (b + 1) * bw) - t.sx(hist.lo + b * bw), t.sy(0) - t.sy(d));
    });
    ctx.globalAlpha = 0.55;
    ctx.fillStyle = spec.color;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = spec.color;
    ctx.lineWidth = 1;
    ctx.stroke();
  } else if (f.kind === 'gaussian' && spec.kind === 'ellipses') {
    ellipses(ctx, spec, t, f.mean, f.cov, spec.color, false);
    ctx.fillStyle = spec.color;
    ctx.beginPath();
    ctx.arc(t.sx(f.mean[spec.cx]), t.sy(f.mean[spec.cy]), 3, 0, 2 * Math.PI);
    ctx.fill();
  } else if (f.kind === 'gaussian' && spec.kind === 'normal1d') {
    const g = { kind: 'mixture' as const, dim: f.dim, weights: [1], comps: [{ mean: f.mean, cov: f.cov }] };
    ctx.beginPath();
    for (let q = 0; q <= 240; q++) {
      const x = spec.box.x0 + ((spec.box.x1 - spec.box.x0) * q) / 240;
      (q ? ctx.lineTo : ctx.moveTo).call(ctx, t.sx(x), t.sy(marginal1(g, spec.cx, x)));
    }
    ctx.strokeStyle = spec.color;
    ctx.lineWidth = 2;
    ctx.stroke();
  } else if (f.kind === 'grid' && spec.kind === 'grid1d') {
    // One curve per channel (solid, dashed, dotted, ...).
    const cells = f.masses.length / f.channels;
    for (let c = 0; c < f.channels; c++) {
      ctx.beginPath();
      for (let q = 0; q < cells; q++) (q ? ctx.lineTo : ctx.moveTo).call(ctx, t.sx(q + 0.5), t.sy(f.masses[c * cells + q]));
      ctx.setLineDash(c === 0 ? [] : c === 1 ? [6, 4] : [2, 3]);
      ctx.strokeStyle = spec.color;
      ctx.lineWidth = 1.8;
      ctx.stroke();
    }
    ctx.setLineDash([]);
  } else if (f.kind === 'grid' && spec.kind === 'grid2d') {
    heatmap(ctx, t, f);
  }
  ctx.restore();
}

/** "#rrggbb" -> [r, g, b]. */
export const rgbOf = (hex: string): [number, number, number] => {
  const v = Number.parseInt(hex.slice(1, 7), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
};

/**
 * Particles straight into RGBA pixels (row-major, `width` pixels a row): each point a size x size square
 * blended over what is there (overlaps accumulate, so dense regions darken), only inside the clip rectangle
 * [cx0, cx1) x [cy0, cy1). Pixel x = ax * pos[q, i] + bx, y = ay * pos[q, j] + by. A few microseconds per
 * thousand points, against a path of thousands of rectangles that a software canvas fills far more slowly.
 */
export function splatPoints(
  px: Uint8ClampedArray, width: number, clip: readonly [number, number, number, number],
  pos: ArrayLike<number>, n: number, dim: number, i: number, j: number,
  ax: number, bx: number, ay: number, by: number, rgb: readonly [number, number, number], alpha: number, size: number,
): void {
  const [cx0, cy0, cx1, cy1] = clip;
  const [r, g, b] = rgb;
  const half = size / 2;
  for (let q = 0; q < n; q++) {
    const x = ax * pos[q * dim + i] + bx - half;
    const y = ay * pos[q * dim + j] + by - half;
    if (!(x > cx0 - size && x < cx1 && y > cy0 - size && y < cy1)) continue;
    const xa = Math.max(cx0, Math.round(x));
    const xb = Math.min(cx1, Math.round(x) + size);
    const ya = Math.max(cy0, Math.round(y));
    const yb = Math.min(cy1, Math.round(y) + size);
    for (let yy = ya; yy < yb; yy++) {
      let o = 4 * (yy * width + xa);
      for (let xx = xa; xx < xb; xx++, o += 4) {
        px[o] += (r - px[o]) * alpha;
        px[o + 1] += (g - px[o + 1]) * alpha;
        px[o + 2] += (b - px[o + 2]) * alpha;
      }
    }
  }
}

/** The scatter of a particle frame: the background's pixels (`bg`) copied into `work`, the points splatted over. */
export function drawScatterPixels(work: ImageData, bg: ImageData, spec: PanelSpec, w: number, h: number, dpr: number, f: Extract<Frame, { kind: 'particles' }>): void {
  work.data.set(bg.data);
  const t = transformOf(spec, w, h);
  const { x0, x1, y0, y1 } = spec.box;
  const kx = (dpr * t.plot.w) / (x1 - x0);
  const ky = (dpr * t.plot.h) / (y1 - y0);
  const clip = [Math.round(dpr * t.plot.x) + 1, Math.round(dpr * t.plot.y) + 1, Math.round(dpr * (t.plot.x + t.plot.w)) - 1, Math.round(dpr * (t.plot.y + t.plot.h)) - 1] as const;
  const size = Math.max(2, Math.round((f.n > 5000 ? 1.6 : f.n > 500 ? 2.2 : 3.2) * dpr));
  splatPoints(work.data, work.width, clip, f.positions, f.n, f.dim, spec.cx, spec.cy, kx, dpr * t.plot.x - kx * x0, -ky, dpr * (t.plot.y + t.plot.h) + ky * y0, rgbOf(spec.color), f.n > 500 ? 0.45 : 0.8, size);
}

/**
 * A 2-D grid's masses as an image (row 0 at the bottom), scaled to the frame's largest mass; several channels
 * side by side, each in its own part of the plot with its number.
 */
function heatmap(ctx: CanvasRenderingContext2D, t: Transform, f: Extract<Frame, { kind: 'grid' }>): void {
  const [n1, n2] = f.shape;
  const cells = n1 * n2;
  let max = 0;
  for (const v of f.masses) if (v > max) max = v;
  const gap = f.channels > 1 ? 6 : 0;
  const w = (t.plot.w - gap * (f.channels - 1)) / f.channels;
  for (let c = 0; c < f.channels; c++) {
    const rect = { x: t.plot.x + c * (w + gap), y: t.plot.y, w, h: t.plot.h };
    heatmapChannel(ctx, rect, f.masses.subarray(c * cells, (c + 1) * cells), n1, n2, max);
    if (f.channels > 1) {
      ctx.fillStyle = '#333';
      ctx.font = '11px sans-serif';
      ctx.fillText(`channel ${c + 1}`, rect.x + 4, rect.y + 12);
    }
  }
}

function heatmapChannel(ctx: CanvasRenderingContext2D, rect: { x: number; y: number; w: number; h: number }, masses: Float32Array, n1: number, n2: number, max: number): void {
  const img = new ImageData(n1, n2);
  for (let a = 0; a < n1; a++) {
    for (let b = 0; b < n2; b++) {
      const v = max > 0 ? masses[a * n2 + b] / max : 0;
      const o = 4 * ((n2 - 1 - b) * n1 + a);
      img.data[o] = Math.round(255 - 200 * v);
      img.data[o + 1] = Math.round(255 - 150 * v);
      img.data[o + 2] = Math.round(255 - 60 * v);
      img.data[o + 3] = 255;
    }
  }
  const tmp = document.createElement('canvas');
  tmp.width = n1;
  tmp.height = n2;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, rect.x, rect.y, rect.w, rect.h);
}
