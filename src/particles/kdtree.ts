// k-d tree for exact k-nearest-neighbour queries (Friedman, Bentley & Finkel, ACM TOMS 1977): median splits on the
// widest coordinate, and each node's tight bounding box (the "compact nodes" of SciPy's cKDTree) for pruning.

export class KdTree {
  /** The points reordered into tree order (row-major, n x d); index[p] is the caller's index of row p. */
  readonly points: Float64Array;
  readonly index: Int32Array;
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private readonly dim: Int32Array; // split coordinate, -1 for a leaf
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  /** Tight bounding box of node i: box[2 (i d + t)] = min, box[2 (i d + t) + 1] = max of coordinate t. */
  private readonly box: Float64Array;
  private nodes = 0;
  // query state
  private readonly qv: Float64Array;
  private k = 0;
  private cnt = 0;
  private exclude = -1;
  private bestSq: Float64Array = new Float64Array(0);
  private bestIdx: Int32Array = new Int32Array(0);

  constructor(x: Float64Array, readonly n: number, readonly d: number, readonly leafSize = 12) {
    if (!(n >= 1) || !(d >= 1)) throw new RangeError(`kd-tree: need n >= 1 points in d >= 1 dimensions, got n = ${n}, d = ${d}`);
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    const cap = 2 * Math.ceil(n / Math.max(1, leafSize >> 1)) + 3;
    this.lo = new Int32Array(cap); this.hi = new Int32Array(cap); this.dim = new Int32Array(cap);
    this.left = new Int32Array(cap); this.right = new Int32Array(cap);
    this.box = new Float64Array(2 * cap * d);
    this.qv = new Float64Array(d);
    this.build(x, perm, 0, n);
    this.index = perm;
    this.points = new Float64Array(n * d);
    for (let p = 0; p < n; p++) for (let t = 0; t < d; t++) this.points[p * d + t] = x[perm[p] * d + t];
  }

  private build(x: Float64Array, perm: Int32Array, lo: number, hi: number): number {
    const id = this.nodes++;
    const d = this.d;
    this.lo[id] = lo; this.hi[id] = hi; this.dim[id] = -1;
    let best = -1, spread = 0;
    for (let t = 0; t < d; t++) {
      let mn = Infinity, mx = -Infinity;
      for (let p = lo; p < hi; p++) {
        const v = x[perm[p] * d + t];
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      this.box[2 * (id * d + t)] = mn;
      this.box[2 * (id * d + t) + 1] = mx;
      if (mx - mn > spread) { spread = mx - mn; best = t; }
    }
    if (hi - lo <= this.leafSize || best < 0) return id; // small, or all points equal: one leaf
    const mid = (lo + hi) >>> 1;
    selectByKey(x, d, best, perm, lo, hi - 1, mid);
    this.dim[id] = best;
    this.left[id] = this.build(x, perm, lo, mid);
    this.right[id] = this.build(x, perm, mid, hi);
    return id;
  }

  /**
   * The k nearest points to q[qo .. qo + d) (Euclidean), skipping the caller's index `exclude` (-1: none):
   * squared distances ascending in outSq, caller's indices in outIdx. Returns how many were found (min(k, n')).
   */
  kNearest(q: Float64Array, qo: number, k: number, exclude: number, outSq: Float64Array, outIdx: Int32Array): number {
    const qv = this.qv;
    for (let t = 0; t < this.d; t++) qv[t] = q[qo + t];
    this.k = k; this.cnt = 0; this.exclude = exclude;
    this.bestSq = outSq; this.bestIdx = outIdx;
    this.search(0);
    return this.cnt;
  }

  private search(node: number): void {
    const d = this.d, q = this.qv;
    if (this.dim[node] < 0) {
      const pts = this.points, index = this.index, k = this.k, bs = this.bestSq, bi = this.bestIdx, ex = this.exclude;
      let cnt = this.cnt, worst = cnt < k ? Infinity : bs[k - 1];
      for (let p = this.lo[node], e = this.hi[node]; p < e; p++) {
        const o = p * d;
        let s = 0, s1 = 0, t = 0;
        for (; t + 1 < d; t += 2) { // two accumulators: independent dependency chains
          const u = pts[o + t] - q[t], w = pts[o + t + 1] - q[t + 1];
          s += u * u;
          s1 += w * w;
        }
        if (t < d) { const u = pts[o + t] - q[t]; s += u * u; }
        s += s1;
        if (!(s < worst)) continue;
        const idx = index[p];
        if (idx === ex) continue;
        let pos = cnt < k ? cnt++ : k - 1;
        while (pos > 0 && bs[pos - 1] > s) { bs[pos] = bs[pos - 1]; bi[pos] = bi[pos - 1]; pos--; }
        bs[pos] = s; bi[pos] = idx;
        if (cnt === k) worst = bs[k - 1];
      }
      this.cnt = cnt;
      return;
    }
    const l = this.left[node], r = this.right[node];
    const dl = this.boxDist(l), dr = this.boxDist(r);
    const near = dl <= dr ? l : r, far = dl <= dr ? r : l;
    const dn = dl <= dr ? dl : dr, df = dl <= dr ? dr : dl;
    if (this.cnt < this.k || dn < this.bestSq[this.k - 1]) this.search(near);
    if (this.cnt < this.k || df < this.bestSq[this.k - 1]) this.search(far);
  }

  /** Squared distance from the query to node's bounding box (boxes stored as min, max pairs per coordinate). */
  private boxDist(node: number): number {
    const d = this.d, q = this.qv, b = this.box, o = 2 * node * d;
    let s = 0;
    for (let t = 0; t < d; t++) {
      const v = q[t], mn = b[o + 2 * t], mx = b[o + 2 * t + 1];
      const u = v < mn ? mn - v : v > mx ? v - mx : 0;
      s += u * u;
    }
    return s;
  }
}

/** Quickselect of perm[lo..hi] by the coordinate x[perm[.] * d + t] so that position m holds the median key. */
function selectByKey(x: Float64Array, d: number, t: number, perm: Int32Array, lo: number, hi: number, m: number): void {
  while (hi > lo) {
    const p = x[perm[(lo + hi) >>> 1] * d + t];
    let i = lo, j = hi;
    while (i <= j) {
      while (x[perm[i] * d + t] < p) i++;
      while (x[perm[j] * d + t] > p) j--;
      if (i <= j) { const s = perm[i]; perm[i] = perm[j]; perm[j] = s; i++; j--; }
    }
    if (m <= j) hi = j;
    else if (m >= i) lo = i;
    else return;
  }
}

/** Builds a k-d tree over the rows of x (row-major n x d; coordinates must not be NaN). */
export function buildKdTree(x: Float64Array, n: number, d: number, leafSize = 12): KdTree {
  return new KdTree(x, n, d, leafSize);
}

/** Function form of KdTree.kNearest. */
export function kNearest(tree: KdTree, q: Float64Array, qo: number, k: number, exclude: number, outSq: Float64Array, outIdx: Int32Array): number {
  return tree.kNearest(q, qo, k, exclude, outSq, outIdx);
}
