// Playback and drawing of the Flow view: the playhead over the shared timeline (play, pause, speed, scrub; it
// waits for frames that are still loading, and follows a running run at the end), one canvas per run with its
// background cached offscreen, and the time each frame takes to draw (all panels, synchronous canvas calls).
import { computed, onBeforeUnmount, onMounted, reactive, ref, watch, type Ref } from 'vue';
import { drawBackground, drawFrame, drawScatterPixels, frameYMax, is1d, targetYMax, type PanelSpec } from '../flow/draw';
import type { Frame } from '../flow/frames';
import { frameDim, panelKind, sharedRange, type PanelKind } from '../flow/view-box';
import type { Box } from '../flow/targets';
import type { useFlow } from './useFlow';

type Flow = ReturnType<typeof useFlow>;
export const SPEEDS = [2, 5, 10, 20, 30, 60] as const;
const STATS_FRAMES = 120;

/** One run's canvas, its background (offscreen, and as pixels for the scatter), the 1-D panels' y axis. */
interface Panel { canvas: HTMLCanvasElement; bg: HTMLCanvasElement; bgKey: string; bgPixels: ImageData | null; work: ImageData | null; yMax: number; yKey: string }

export function useFlowCanvas(flow: Flow, root: Ref<HTMLElement | null>, colorOf: (id: number) => string) {
  const index = ref(0);
  const playing = ref(false);
  const fps = ref<number>(10);
  /** Stay on the newest frame as live snapshots arrive (true while the playhead is at the end). */
  const follow = ref(true);
  const k = computed(() => flow.timeline.value[Math.min(index.value, flow.timeline.value.length - 1)] ?? 0);
  /** Iteration each panel drew last (its latest frame <= k). */
  const drawn = reactive(new Map<number, number>());
  const frameMs = ref<{ last: number; p50: number; p95: number; count: number } | null>(null);
  const panels = new Map<number, Panel>();
  const times: number[] = [];
  let framesDrawn = 0;
  /** Sticky shared ranges per panel group (1-D, 2-D): they only grow while selection and coordinates stay. */
  const boxes = new Map<string, Box>();
  let boxKey = '';
  const waiting = ref(false);

  function setCanvas(runId: number, el: unknown) {
    if (el instanceof HTMLCanvasElement) {
      if (panels.get(runId)?.canvas !== el) panels.set(runId, { canvas: el, bg: document.createElement('canvas'), bgKey: '', bgPixels: null, work: null, yMax: 0, yKey: '' });
    } else panels.delete(runId);
    dirty();
  }

  /** Runs whose measure is 1-D share one x range; runs in d >= 2 share the (cx, cy) box. */
  const groupOf = (id: number) => ((flow.dims.value.get(id) ?? 2) >= 2 ? '2d' : '1d');
  function currentBoxes(): Map<string, Box> {
    const ids = flow.runIds.value;
    const key = `${ids.join()}|${flow.cx.value}|${flow.cy.value}`;
    if (key !== boxKey) boxes.clear();
    boxKey = key;
    for (const group of ['1d', '2d']) {
      const members = ids.filter((id) => groupOf(id) === group);
      if (!members.length) continue;
      const parts = members.map((id) => ({ target: flow.targets.value.get(id) ?? null, frames: flow.endFrames(id) }));
      const cx = group === '1d' ? 0 : flow.cx.value;
      const [x0, x1] = sharedRange(parts, cx);
      const [y0, y1] = sharedRange(parts, flow.cy.value);
      const old = boxes.get(group);
      if (!old) boxes.set(group, { x0, x1, y0, y1 });
      else if (x0 < old.x0 || x1 > old.x1 || y0 < old.y0 || y1 > old.y1) {
        // Grow with 15% to spare, so that a live run spreading slowly does not redraw the backgrounds every frame.
        const gx = 0.15 * (Math.max(old.x1, x1) - Math.min(old.x0, x0));
        const gy = 0.15 * (Math.max(old.y1, y1) - Math.min(old.y0, y0));
        boxes.set(group, {
          x0: x0 < old.x0 ? x0 - gx : old.x0, x1: x1 > old.x1 ? x1 + gx : old.x1,
          y0: y0 < old.y0 ? y0 - gy : old.y0, y1: y1 > old.y1 ? y1 + gy : old.y1,
        });
      }
    }
    return boxes;
  }

  function specOf(runId: number, f: Frame, shared: Box, p: Panel): PanelSpec {
    const kind: PanelKind = panelKind(f);
    const target = flow.targets.value.get(runId) ?? null;
    const oneD = frameDim(f) < 2;
    const cx = oneD ? 0 : flow.cx.value;
    const cy = oneD ? 0 : flow.cy.value;
    let b = shared;
    let xName = `x${cx + 1}`;
    let yName = is1d(kind) ? 'density' : `x${cy + 1}`;
    if (f.kind === 'grid') {
      b = { x0: 0, x1: f.shape[0], y0: 0, y1: f.shape[1] ?? 1 };
      xName = 'cell i';
      yName = kind === 'grid2d' ? 'cell j' : 'mass';
    }
    const base = { kind, color: colorOf(runId), box: b, cx, cy, target: target && target.dim > Math.max(cx, kind === 'scatter' || kind === 'ellipses' ? cy : 0) ? target : null, xName, yName, yMax: 1 };
    if (is1d(kind)) {
      // The y axis grows to fit every frame drawn (and the target), never shrinks while the panel stays the same.
      const yKey = `${kind}|${b.x0}|${b.x1}|${cx}`;
      if (p.yKey !== yKey) {
        p.yKey = yKey;
        p.yMax = targetYMax(base) * 1.15;
      }
      const need = frameYMax(base, f) * 1.08;
      if (need > p.yMax) p.yMax = need * 1.1;
      if (!(p.yMax > 0)) p.yMax = 1;
      return { ...base, yMax: p.yMax };
    }
    return base;
  }

  /** Draws every panel at the playhead; returns the time it took (ms). */
  function draw(at = k.value): number {
    const t0 = performance.now();
    const shared = currentBoxes();
    for (const id of flow.runIds.value) {
      const p = panels.get(id);
      if (!p) continue;
      const c = p.canvas;
      const dpr = window.devicePixelRatio || 1;
      const w = c.clientWidth;
      const h = c.clientHeight;
      if (!w || !h) continue;
      if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
        c.width = Math.round(w * dpr);
        c.height = Math.round(h * dpr);
      }
      const ctx = c.getContext('2d');
      if (!ctx) continue;
      const f = flow.frameAt(id, at);
      if (!f) {
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, c.width, c.height);
        drawn.delete(id);
        continue;
      }
      const spec = specOf(id, f, shared.get(groupOf(id)) ?? { x0: -1, x1: 1, y0: -1, y1: 1 }, p);
      const { box: bb } = spec;
      const bgKey = `${c.width}x${c.height}|${spec.kind}|${bb.x0},${bb.x1},${bb.y0},${bb.y1}|${spec.cx},${spec.cy}|${spec.yMax}|${spec.target ? id : ''}`;
      if (p.bgKey !== bgKey) {
        p.bg.width = c.width;
        p.bg.height = c.height;
        const bctx = p.bg.getContext('2d')!;
        bctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        drawBackground(bctx, spec, w, h);
        p.bgKey = bgKey;
        p.bgPixels = spec.kind === 'scatter' ? bctx.getImageData(0, 0, c.width, c.height) : null;
        p.work = p.bgPixels ? new ImageData(c.width, c.height) : null;
      }
      if (spec.kind === 'scatter' && f.kind === 'particles' && p.bgPixels && p.work) {
        // Particles as pixels: one putImageData instead of thousands of rectangles.
        drawScatterPixels(p.work, p.bgPixels, spec, w, h, dpr, f);
        ctx.putImageData(p.work, 0, 0);
      } else {
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.drawImage(p.bg, 0, 0);
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        drawFrame(ctx, spec, w, h, f);
      }
      if (drawn.get(id) !== f.iteration) drawn.set(id, f.iteration);
    }
    const ms = performance.now() - t0;
    framesDrawn++;
    times.push(ms);
    if (times.length > STATS_FRAMES) times.shift();
    root.value?.setAttribute('data-drawn-iteration', String(at));
    root.value?.setAttribute('data-frames-drawn', String(framesDrawn));
    return ms;
  }

  let lastStats = 0;
  function publishStats(now: number) {
    if (now - lastStats < 400 || !times.length) return;
    lastStats = now;
    const s = [...times].sort((a, b) => a - b);
    frameMs.value = { last: times[times.length - 1], p50: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))], count: framesDrawn };
  }

  // One animation-frame loop: advances the playhead while playing, draws when something changed.
  let raf = 0;
  let needsDraw = true;
  let lastTick = 0;
  let acc = 0;
  function dirty() {
    needsDraw = true;
    if (!raf) raf = requestAnimationFrame(tick);
  }
  function tick(now: number) {
    raf = 0;
    const n = flow.timeline.value.length;
    if (playing.value && n) {
      const dt = lastTick ? Math.min(now - lastTick, 250) : 0;
      lastTick = now;
      const ready = flow.want(k.value);
      waiting.value = !ready;
      if (ready) acc += (dt * fps.value) / 1000;
      const steps = Math.floor(acc);
      if (steps > 0) {
        acc -= steps;
        const next = Math.min(index.value + steps, n - 1);
        if (next !== index.value) {
          index.value = next;
          flow.want(k.value);
          needsDraw = true;
        }
      }
      if (index.value >= n - 1) {
        follow.value = true;
        // At the end: keep waiting for live frames while a run is still going, else stop.
        if (!flow.live.value) playing.value = false;
      }
    }
    if (needsDraw) {
      needsDraw = false;
      draw();
      publishStats(now);
    }
    if (playing.value) raf = requestAnimationFrame(tick);
  }

  function play() {
    if (!flow.timeline.value.length) return;
    // From the end, play starts over (and follows live runs again once it catches up).
    if (index.value >= flow.timeline.value.length - 1) index.value = 0;
    playing.value = true;
    follow.value = false;
    lastTick = 0;
    acc = 0;
    dirty();
  }
  const pause = () => {
    playing.value = false;
  };
  function seek(i: number) {
    const n = flow.timeline.value.length;
    index.value = Math.max(0, Math.min(n - 1, i));
    follow.value = index.value === n - 1;
    flow.want(k.value);
    dirty();
  }

  flow.onGrow(() => {
    if (follow.value) index.value = flow.timeline.value.length - 1;
    flow.want(k.value);
    dirty();
  });
  watch([flow.version, flow.cx, flow.cy, () => flow.runIds.value.join()], dirty);
  watch(k, (v) => {
    flow.want(v);
    dirty();
  });
  // A new selection starts at its first frame.
  watch(() => flow.runIds.value.join(), () => {
    index.value = 0;
    playing.value = false;
  });

  let observer: ResizeObserver | undefined;
  onMounted(() => {
    observer = new ResizeObserver(dirty);
    if (root.value) observer.observe(root.value);
    // Tests and the benchmark: draw at a given iteration synchronously; the time includes flushing the canvases.
    if (root.value) Object.defineProperty(root.value, 'wgfFlow', {
      configurable: true,
      value: {
        drawAt: (at: number) => {
          const t0 = performance.now();
          draw(at);
          for (const p of panels.values()) p.canvas.getContext('2d')?.getImageData(0, 0, 1, 1);
          return performance.now() - t0;
        },
        timeline: () => [...flow.timeline.value],
        /** Draw times (ms) of the last frames drawn by the view itself. */
        times: () => [...times],
        cached: () => flow.cache.count,
      },
    });
    dirty();
  });
  onBeforeUnmount(() => {
    observer?.disconnect();
    cancelAnimationFrame(raf);
    playing.value = false;
  });

  const atEnd = computed(() => index.value >= flow.timeline.value.length - 1);
  return { index, k, playing, fps, follow, drawn, frameMs, waiting, atEnd, setCanvas, play, pause, seek, draw };
}
