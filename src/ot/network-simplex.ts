// Network simplex for the transportation problem (the spanning-tree data structures of LEMON's NetworkSimplex,
// Kovacs 2015 "Minimum-cost flow algorithms: an experimental evaluation", as used by Bonneel et al. 2011 and POT's emd),
// with block-search pricing over implicit arcs i -> j of a dense cost matrix and artificial arcs to a root node.
import { acquireSimdWorkspace, releaseSimdWorkspace } from './simd';

/** Output of the core solver (reduced problem: all weights > 0). */
export interface NetworkSimplexOutput {
  readonly status: 'optimal' | 'max_iter_reached';
  readonly iterations: number;
  /** Basic (tree) arcs with positive flow: supply index, demand index, mass. */
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly masses: Float64Array;
  /** Potentials with C_ij >= f_i + g_j (up to rounding) and equality on the support. */
  readonly f: Float64Array;
  readonly g: Float64Array;
  /** Mass left on artificial arcs (0 up to the mass imbalance of the input). */
  readonly artificialMass: number;
}

const DIR_UP = 1;
const DIR_DOWN = -1;

/**
 * Solves min <P, C> over P >= 0 with P 1 = a, P^T 1 = b, for a (n) and b (m) all strictly positive with equal sums
 * (up to rounding) and C row-major n x m. `maxIter` bounds the number of pivots. `simd: false` prices in plain
 * TypeScript loops (same pivots, same arithmetic).
 */
export function networkSimplex(
  a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number, maxIter: number, options: { readonly simd?: boolean } = {},
): NetworkSimplexOutput {
  const N = n + m; // real nodes; root = N
  const root = N;
  const nArcs = n * m;
  // Artificial cost: any value > max C works on a complete bipartite graph (a path i -> root -> j can always be
  // replaced by the direct arc i -> j, which costs less), and a small value keeps the potentials well scaled.
  let maxAbs = 0;
  let maxC = -Infinity;
  for (let k = 0; k < nArcs; k++) {
    const c = C[k];
    if (c > maxC) maxC = c;
    const ac = c < 0 ? -c : c;
    if (ac > maxAbs) maxAbs = ac;
  }
  const ART = maxAbs > 0 ? Math.max(maxC, 0) + maxAbs : 1;
  // Pricing threshold: reduced costs are sums of potentials of size ~ ART, so noise is a few ulps of ART.
  const tol = 64 * Number.EPSILON * ART;

  const parent = new Int32Array(N + 1);
  const pred = new Int32Array(N + 1); // arc id of the tree arc to the parent
  const predDir = new Int8Array(N + 1);
  const thread = new Int32Array(N + 1);
  const revThread = new Int32Array(N + 1);
  const succNum = new Int32Array(N + 1);
  const lastSucc = new Int32Array(N + 1);
  const dirty = new Int32Array(N + 1);
  // The SIMD pricing kernel reads C and the potentials from its own linear memory: copy C there once.
  const piBytes = (N + 1) * 8;
  const ws = (options.simd ?? true) && nArcs >= 4096 && nArcs * 8 + piBytes + 64 <= 2 ** 31 ? acquireSimdWorkspace(nArcs * 8 + piBytes + 64) : null;
  const cOff = 0;
  const piOff = nArcs * 8;
  const piDOff = piOff + n * 8;
  const Cw = ws !== null ? new Float64Array(ws.buffer, cOff, nArcs) : C;
  if (ws !== null) Cw.set(C);
  const pi = ws !== null ? new Float64Array(ws.buffer, piOff, N + 1) : new Float64Array(N + 1);
  const flow = new Float64Array(N + 1); // flow on pred[u]
  const piD = pi.subarray(n);

  // Arc helpers. Real arc e < nArcs: i = e / m -> n + e % m. Artificial arc nArcs + u: u -> root (supply) or root -> u.
  const src = (e: number): number => (e < nArcs ? (e / m) | 0 : e - nArcs < n ? e - nArcs : root);
  const tgt = (e: number): number => (e < nArcs ? n + (e % m) : e - nArcs < n ? root : e - nArcs);
  const cost = (e: number): number => (e < nArcs ? C[e] : e - nArcs < n ? 0 : ART);

  // Initial tree: every node hangs from the root by its artificial arc.
  parent[root] = -1;
  pred[root] = -1;
  thread[root] = 0;
  revThread[0] = root;
  succNum[root] = N + 1;
  lastSucc[root] = root - 1;
  pi[root] = 0;
  for (let u = 0; u < N; u++) {
    parent[u] = root;
    pred[u] = nArcs + u;
    thread[u] = u + 1;
    revThread[u + 1] = u;
    succNum[u] = 1;
    lastSucc[u] = u;
    if (u < n) {
      predDir[u] = DIR_UP;
      pi[u] = 0;
      flow[u] = a[u];
    } else {
      predDir[u] = DIR_DOWN;
      pi[u] = ART;
      flow[u] = b[u - n];
    }
  }

  // Pivot state.
  let inArc = -1, join = -1, uIn = -1, vIn = -1, uOut = -1, delta = 0;

  const findJoinNode = (): void => {
    let u = src(inArc);
    let v = tgt(inArc);
    while (u !== v) {
      if (succNum[u] < succNum[v]) u = parent[u];
      else v = parent[v];
    }
    join = u;
  };

  // Real non-tree arcs are always at their lower bound (zero flow, no capacities), so flow enters source -> target.
  const findLeavingArc = (): void => {
    const first = src(inArc);
    const second = tgt(inArc);
    delta = Infinity;
    let result = 0;
    for (let u = first; u !== join; u = parent[u]) {
      if (predDir[u] === DIR_UP) {
        const d = flow[u];
        if (d < delta) {
          delta = d;
          uOut = u;
          result = 1;
        }
      }
    }
    for (let u = second; u !== join; u = parent[u]) {
      if (predDir[u] === DIR_DOWN) {
        const d = flow[u];
        if (d <= delta) {
          delta = d;
          uOut = u;
          result = 2;
        }
      }
    }
    if (result === 1) {
      uIn = first;
      vIn = second;
    } else {
      uIn = second;
      vIn = first;
    }
  };

  const changeFlow = (): void => {
    if (delta > 0) {
      for (let u = src(inArc); u !== join; u = parent[u]) flow[u] -= predDir[u] * delta;
      for (let u = tgt(inArc); u !== join; u = parent[u]) flow[u] += predDir[u] * delta;
    }
  };

  const updateTreeStructure = (): void => {
    const oldRevThread = revThread[uOut];
    const oldSuccNum = succNum[uOut];
    const oldLastSucc = lastSucc[uOut];
    const vOut = parent[uOut];

    if (uIn === uOut) {
      parent[uIn] = vIn;
      pred[uIn] = inArc;
      predDir[uIn] = uIn === src(inArc) ? DIR_UP : DIR_DOWN;
      flow[uIn] = delta;
      if (thread[vIn] !== uOut) {
        let after = thread[oldLastSucc];
        thread[oldRevThread] = after;
        revThread[after] = oldRevThread;
        after = thread[vIn];
        thread[vIn] = uOut;
        revThread[uOut] = vIn;
        thread[oldLastSucc] = after;
        revThread[after] = oldLastSucc;
      }
    } else {
      const threadContinue = oldRevThread === vIn ? thread[oldLastSucc] : thread[vIn];
      let stem = uIn;
      let parStem = vIn;
      let nextStem: number;
      let last = lastSucc[uIn];
      let before: number;
      let after = thread[last];
      thread[vIn] = uIn;
      let nDirty = 0;
      dirty[nDirty++] = vIn;
      while (stem !== uOut) {
        nextStem = parent[stem];
        thread[last] = nextStem;
        dirty[nDirty++] = last;
        before = revThread[stem];
        thread[before] = after;
        revThread[after] = before;
        parent[stem] = parStem;
        parStem = stem;
        stem = nextStem;
        last = lastSucc[stem] === lastSucc[parStem] ? revThread[parStem] : lastSucc[stem];
        after = thread[last];
      }
      parent[uOut] = parStem;
      thread[last] = threadContinue;
      revThread[threadContinue] = last;
      lastSucc[uOut] = last;
      if (oldRevThread !== vIn) {
        thread[oldRevThread] = after;
        revThread[after] = oldRevThread;
      }
      for (let k = 0; k < nDirty; k++) {
        const u = dirty[k];
        revThread[thread[u]] = u;
      }
      // Reverse the stem: each node takes over the tree arc (and its flow) of its old child on the stem.
      let tmpSc = 0;
      const tmpLs = lastSucc[uOut];
      for (let u = uOut, p = parent[u]; u !== uIn; u = p, p = parent[u]) {
        pred[u] = pred[p];
        predDir[u] = -predDir[p];
        flow[u] = flow[p];
        tmpSc += succNum[u] - succNum[p];
        succNum[u] = tmpSc;
        lastSucc[p] = tmpLs;
      }
      pred[uIn] = inArc;
      predDir[uIn] = uIn === src(inArc) ? DIR_UP : DIR_DOWN;
      flow[uIn] = delta;
      succNum[uIn] = oldSuccNum;
    }

    const upLimitOut = lastSucc[join] === vIn ? join : -1;
    const lastSuccOut = lastSucc[uOut];
    for (let u = vIn; u !== -1 && lastSucc[u] === vIn; u = parent[u]) lastSucc[u] = lastSuccOut;
    if (join !== oldRevThread && vIn !== oldRevThread) {
      for (let u = vOut; u !== upLimitOut && lastSucc[u] === oldLastSucc; u = parent[u]) lastSucc[u] = oldRevThread;
    } else if (lastSuccOut !== oldLastSucc) {
      for (let u = vOut; u !== upLimitOut && lastSucc[u] === oldLastSucc; u = parent[u]) lastSucc[u] = lastSuccOut;
    }
    for (let u = vIn; u !== join; u = parent[u]) succNum[u] += oldSuccNum;
    for (let u = vOut; u !== join; u = parent[u]) succNum[u] -= oldSuccNum;
  };

  const updatePotential = (): void => {
    const sigma = pi[vIn] - pi[uIn] - predDir[uIn] * cost(inArc);
    const end = thread[lastSucc[uIn]];
    for (let u = uIn; u !== end; u = thread[u]) pi[u] += sigma;
  };

  const pivot = (): void => {
    findJoinNode();
    findLeavingArc();
    changeFlow();
    updateTreeStructure();
    updatePotential();
  };

  // Heuristic initial pivots (LEMON): the cheapest incoming arc of every demand node.
  let iterations = 0;
  const colMin = new Float64Array(m).fill(Infinity);
  const colArg = new Int32Array(m);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const c = C[row + j];
      if (c < colMin[j]) {
        colMin[j] = c;
        colArg[j] = row + j;
      }
    }
  }
  for (let j = 0; j < m; j++) {
    const best = colArg[j];
    const i = (best / m) | 0;
    if (C[best] + pi[i] - piD[j] < -tol) {
      inArc = best;
      pivot();
      iterations++;
    }
  }

  // Block-search pricing (LEMON's BlockSearchPivotRule): scan the arcs cyclically from where the last search
  // stopped, in blocks of ~sqrt(#arcs), and enter the most negative reduced cost of the first block that has one.
  // Arcs are scanned row by row, one row segment at a time: the segment minimum of C_ij - pi_j comes from the
  // WebAssembly SIMD kernel when available (the cost matrix and the potentials then live in its memory), and the
  // argmin is located afterwards in the winning segment only. The reduced cost is (C_ij - pi_j) + pi_i in both.
  const blockSize = Math.max(10, Math.ceil(Math.sqrt(nArcs)));
  let nextI = 0;
  let nextJ = 0;
  const findEnteringArc = (): number => {
    let min = -tol;
    let bestRow = -1, bestJ = 0, bestEnd = 0;
    let cnt = blockSize;
    let i = nextI;
    let j = nextJ;
    let scanned = 0;
    while (scanned < nArcs) {
      const row = i * m;
      const piI = pi[i];
      const jEnd = Math.min(m, j + cnt);
      const len = jEnd - j;
      let segMin: number;
      if (ws !== null) segMin = ws.minDiff(cOff + (row + j) * 8, piDOff + j * 8, len) + piI;
      else {
        segMin = Infinity;
        for (let jj = j; jj < jEnd; jj++) {
          const d = Cw[row + jj] - piD[jj];
          if (d < segMin) segMin = d;
        }
        segMin += piI;
      }
      if (segMin < min) {
        min = segMin;
        bestRow = i;
        bestJ = j;
        bestEnd = jEnd;
      }
      scanned += len;
      cnt -= len;
      j = jEnd;
      if (j === m) {
        j = 0;
        i = i + 1 === n ? 0 : i + 1;
      }
      if (cnt === 0) {
        if (bestRow >= 0) break;
        cnt = blockSize;
      }
    }
    nextI = i;
    nextJ = j;
    if (bestRow < 0) return -1;
    const row = bestRow * m, piI = pi[bestRow];
    for (let jj = bestJ; jj < bestEnd; jj++) if (Cw[row + jj] - piD[jj] + piI <= min) return row + jj;
    return row + bestJ; // not reached: the segment minimum is attained in the segment
  };

  let status: 'optimal' | 'max_iter_reached' = 'optimal';
  for (;;) {
    if (iterations >= maxIter) {
      status = 'max_iter_reached';
      break;
    }
    const e = findEnteringArc();
    if (e < 0) break;
    inArc = e;
    pivot();
    iterations++;
  }

  // Read off the basic solution.
  let count = 0;
  let artificialMass = 0;
  for (let u = 0; u < N; u++) {
    if (pred[u] < nArcs) {
      if (flow[u] > 0) count++;
    } else artificialMass += flow[u];
  }
  const rows = new Int32Array(count);
  const cols = new Int32Array(count);
  const masses = new Float64Array(count);
  let k = 0;
  for (let u = 0; u < N; u++) {
    const e = pred[u];
    if (e < nArcs && flow[u] > 0) {
      rows[k] = (e / m) | 0;
      cols[k] = e % m;
      masses[k] = flow[u];
      k++;
    }
  }
  // Sort entries by (row, col) for a canonical output.
  const order = Array.from({ length: count }, (_, t) => t).sort((p, q) => rows[p] - rows[q] || cols[p] - cols[q]);
  const r2 = new Int32Array(count), c2 = new Int32Array(count), m2 = new Float64Array(count);
  for (let t = 0; t < count; t++) {
    r2[t] = rows[order[t]];
    c2[t] = cols[order[t]];
    m2[t] = masses[order[t]];
  }
  // Reduced cost C_ij + pi_i - pi_j >= 0, so f = -pi (sources) and g = pi (sinks) satisfy f_i + g_j <= C_ij.
  const f = new Float64Array(n);
  const g = new Float64Array(m);
  for (let i = 0; i < n; i++) f[i] = -pi[i];
  for (let j = 0; j < m; j++) g[j] = piD[j];
  releaseSimdWorkspace(ws);
  return { status, iterations, rows: r2, cols: c2, masses: m2, f, g, artificialMass };
}
