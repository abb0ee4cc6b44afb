// Snapshot bookkeeping of the Flow view (renderer/src/flow/frames.ts, view-box.ts).
import { describe, expect, it } from 'vitest';
import { chunkToFetch, decodeSnapshot, FrameCache, indexOfIteration, insertSorted, latestAtOrBefore, timelineOf, type Frame } from '../../renderer/src/flow/frames';
import { panelKind, sharedRange } from '../../renderer/src/flow/view-box';
import { parseTarget } from '../../renderer/src/flow/targets';

const particles = (iteration: number, n = 10, dim = 2): Frame => ({ kind: 'particles', iteration, n, dim, positions: new Float32Array(n * dim) });

describe('frame selection', () => {
  it('latest <= k', () => {
    const its = [0, 5, 10, 20];
    expect(latestAtOrBefore(its, 0)).toBe(0);
    expect(latestAtOrBefore(its, 4)).toBe(0);
    expect(latestAtOrBefore(its, 5)).toBe(5);
    expect(latestAtOrBefore(its, 19)).toBe(10);
    expect(latestAtOrBefore(its, 1000)).toBe(20);
    expect(latestAtOrBefore(its, -1)).toBeUndefined();
    expect(latestAtOrBefore([], 3)).toBeUndefined();
    expect(indexOfIteration(its, 10)).toBe(2);
    expect(indexOfIteration(its, 11)).toBe(-1);
  });
  it('the timeline is the sorted union; insertSorted keeps order without duplicates', () => {
    expect(timelineOf([[0, 10, 20, 23], [0, 5, 10, 15], []])).toEqual([0, 5, 10, 15, 20, 23]);
    const l = [0, 10];
    expect(insertSorted(l, 5)).toBe(true);
    expect(insertSorted(l, 20)).toBe(true);
    expect(insertSorted(l, 10)).toBe(false);
    expect(l).toEqual([0, 5, 10, 20]);
  });
  it('chunks skip what is cached or in flight', () => {
    const have = new Set([10, 15]);
    expect(chunkToFetch([0, 5, 10, 15, 20, 25, 30], 1, 3, (k) => have.has(k))).toEqual([5, 20, 25]);
    expect(chunkToFetch([0, 5], 5, 3, () => false)).toEqual([]);
  });
});

describe('FrameCache', () => {
  it('evicts the least recently used beyond its capacity, keeps the newest', () => {
    const size = 10 * 2 + 8;
    const c = new FrameCache(3 * size);
    for (const k of [0, 5, 10]) c.set(1, particles(k));
    expect(c.count).toBe(3);
    c.get(1, 0); // 0 becomes the most recent: 5 goes first
    c.set(1, particles(15));
    expect([0, 5, 10, 15].map((k) => c.has(1, k))).toEqual([true, false, true, true]);
    expect(c.size).toBe(3 * size);
    // A frame larger than the whole cache is still kept (alone).
    c.set(2, particles(0, 100));
    expect(c.count).toBe(1);
    expect(c.has(2, 0)).toBe(true);
  });
  it('bestAtOrBefore falls back to the closest cached frame before k; dropRun forgets a run', () => {
    const c = new FrameCache(1e6);
    c.set(1, particles(0));
    c.set(1, particles(10));
    c.set(2, particles(5));
    const its = [0, 5, 10, 15];
    expect(c.bestAtOrBefore(1, its, 14)?.iteration).toBe(10);
    expect(c.bestAtOrBefore(1, its, 9)?.iteration).toBe(0);
    expect(c.bestAtOrBefore(2, its, 4)).toBeUndefined();
    c.dropRun(1);
    expect(c.count).toBe(1);
    expect(c.bestAtOrBefore(1, its, 20)).toBeUndefined();
  });
});

describe('decoding and panels', () => {
  it('decodes diagonal Gaussians to dense covariances and picks the panel kind', () => {
    const g = decodeSnapshot({ runId: 1, iteration: 3, kind: 'gaussian', dim: 2, mean: [1, 2], diag: [4, 9] });
    expect(g).toEqual({ kind: 'gaussian', iteration: 3, dim: 2, mean: [1, 2], cov: [[4, 0], [0, 9]] });
    expect(panelKind(g)).toBe('ellipses');
    const p = decodeSnapshot({ runId: 1, iteration: 0, kind: 'particles', dim: 1, n: 3, positions: [1, 2, 3] });
    expect(p.kind === 'particles' && Array.from(p.positions)).toEqual([1, 2, 3]);
    expect(panelKind(p)).toBe('histogram');
    expect(panelKind(decodeSnapshot({ runId: 1, iteration: 0, kind: 'grid', shape: [4, 5], masses: new Array(20).fill(0.05) }))).toBe('grid2d');
    expect(panelKind(decodeSnapshot({ runId: 1, iteration: 0, kind: 'grid', shape: [4], masses: [0.25, 0.25, 0.25, 0.25] }))).toBe('grid1d');
    // channels travel with the frame (one channel when the snapshot does not say)
    const two = decodeSnapshot({ runId: 1, iteration: 0, kind: 'grid', shape: [2, 2], channels: 2, masses: [0.1, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.1] });
    expect(two.kind === 'grid' && two.channels).toBe(2);
    const one = decodeSnapshot({ runId: 1, iteration: 0, kind: 'grid', shape: [4], masses: [0.25, 0.25, 0.25, 0.25] });
    expect(one.kind === 'grid' && one.channels).toBe(1);
  });
  it('shared ranges cover the target and the frames', () => {
    const t = parseTarget({ target: { mean: [0, 0], cov: [[1, 0], [0, 4]] } });
    const far: Frame = { kind: 'gaussian', iteration: 0, dim: 2, mean: [10, 0], cov: [[1, 0], [0, 1]] };
    const [x0, x1] = sharedRange([{ target: t, frames: [far] }], 0);
    expect(x0).toBeLessThan(-3.5);
    expect(x1).toBeGreaterThan(13);
    const [y0, y1] = sharedRange([{ target: t, frames: [] }], 1);
    expect(y0).toBeLessThanOrEqual(-7);
    expect(y1).toBeGreaterThanOrEqual(7);
    expect(sharedRange([], 0)).toEqual([-1, 1]);
  });
});
