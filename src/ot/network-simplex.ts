// Network simplex for the transportation problem (the spanning-tree data structures of LEMON's NetworkSimplex,
// Kovacs 2015 "Minimum-cost flow algorithms: an experimental evaluation", as used by Bonneel et al. 2011 and POT's emd),
// with block-search pricing over implicit arcs i -> j of a dense cost matrix and artificial arcs to a root node.

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
 * (up to rounding) and C row-major n x m. `maxIter` bounds the number of pivots.
 */
export function networkSimplex(a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number, maxIter: number): NetworkSimplexOutput {
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
  const pi = new Float64Array(N + 1);
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

  // Block-search pricing (block size ~ sqrt(#arcs)), scanning rows of C contiguously.
  const blockSize = Math.max(10, Math.ceil(Math.sqrt(nArcs)));
  let nextI = 0;
  let nextJ = 0;
  const findEnteringArc = (): number => {
    let min = -tol;
    let best = -1;
    let cnt = blockSize;
    let i = nextI;
    let j = nextJ;
    let scanned = 0;
    while (scanned < nArcs) {
      const row = i * m;
      const piI = pi[i];
      const jEnd = Math.min(m, j + cnt);
      for (let jj = j; jj < jEnd; jj++) {
        const rc = C[row + jj] + piI - piD[jj];
        if (rc < min) {
          min = rc;
          best = row + jj;
        }
      }
      const len = jEnd - j;
      scanned += len;
      cnt -= len;
      j = jEnd;
      if (j === m) {
        j = 0;
        i = i + 1 === n ? 0 : i + 1;
      }
      if (cnt === 0) {
        if (best >= 0) break;
        cnt = blockSize;
      }
    }
    nextI = i;
    nextJ = j;
    return best;
  };

  // Candidate arcs: the K cheapest columns of every row. Most entering arcs of geometric problems are short, so
  // pricing sweeps these first and falls back to the full block search only when none is eligible; optimality is
  // still declared by a full search that finds no negative reduced cost.
  const K = nArcs >= 65536 && m > 64 ? 24 : 0;
  const cand = K > 0 ? nearestColumns(C, n, m, K) : new Int32Array(0);
  // Their costs, stored contiguously: gathering C[i, cand] at random columns would miss the cache on every access.
  const candCost = new Float64Array(cand.length);
  for (let i = 0; i < n; i++) for (let t = 0; t < K; t++) candCost[i * K + t] = C[i * m + cand[i * K + t]];
  const candBlock = Math.max(10, Math.ceil(Math.sqrt(n * K)));
  let candI = 0;
  let candT = 0;
  const findCandidateArc = (): number => {
    let min = -tol;
    let best = -1;
    let cnt = candBlock;
    let i = candI;
    let t = candT;
    let scanned = 0;
    const total = n * K;
    while (scanned < total) {
      const row = i * m;
      const piI = pi[i];
      const base = i * K;
      const tEnd = Math.min(K, t + cnt);
      for (let tt = t; tt < tEnd; tt++) {
        const j = cand[base + tt];
        const rc = candCost[base + tt] + piI - piD[j];
        if (rc < min) {
          min = rc;
          best = row + j;
        }
      }
      const len = tEnd - t;
      scanned += len;
      cnt -= len;
      t = tEnd;
      if (t === K) {
        t = 0;
        i = i + 1 === n ? 0 : i + 1;
      }
      if (cnt === 0) {
        if (best >= 0) break;
        cnt = candBlock;
      }
    }
    candI = i;
    candT = t;
    return best;
  };

  let status: 'optimal' | 'max_iter_reached' = 'optimal';
  for (;;) {
    if (iterations >= maxIter) {
      status = 'max_iter_reached';
      break;
    }
    let e = K > 0 ? findCandidateArc() : -1;
    if (e < 0) e = findEnteringArc();
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
  return { status, iterations, rows: r2, cols: c2, masses: m2, f, g, artificialMass };
}

/** For each row of the n x m matrix C, the columns of its k smallest entries (unordered), via a bounded max-heap. */
function nearestColumns(C: Float64Array, n: number, m: number, k: number): Int32Array {
  const out = new Int32Array(n * k);
  const hv = new Float64Array(k);
  const hj = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    let size = 0;
    for (let j = 0; j < m; j++) {
      const c = C[row + j];
      if (size < k) {
        // Sift up.
        let p = size++;
        while (p > 0) {
          const q = (p - 1) >> 1;
          if (hv[q] >= c) break;
          hv[p] = hv[q];
          hj[p] = hj[q];
          p = q;
        }
        hv[p] = c;
        hj[p] = j;
      } else if (c < hv[0]) {
        // Replace the largest and sift down.
        let p = 0;
        for (;;) {
          const l = 2 * p + 1;
          if (l >= k) break;
          const r = l + 1;
          const q = r < k && hv[r] > hv[l] ? r : l;
          if (hv[q] <= c) break;
          hv[p] = hv[q];
          hj[p] = hj[q];
          p = q;
        }
        hv[p] = c;
        hj[p] = j;
      }
    }
    for (let t = 0; t < k; t++) out[i * k + t] = hj[t];
  }
  return out;
}
