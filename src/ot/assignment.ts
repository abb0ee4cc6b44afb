// Dense linear assignment by shortest augmenting paths: Jonker & Volgenant, "A shortest augmenting path algorithm
// for dense and sparse linear assignment problems", Computing 38 (1987) — column reduction, reduction transfer,
// augmenting row reduction, then Dijkstra-like augmentation.

export interface AssignmentOutput {
  /** colOfRow[i] = column assigned to row i. */
  readonly colOfRow: Int32Array;
  /** Dual potentials: u_i + v_j <= C_ij with equality on the assignment. */
  readonly u: Float64Array;
  readonly v: Float64Array;
}

/** Minimum-cost perfect matching of the n x n row-major cost matrix C. */
export function lapjv(C: Float64Array, n: number): AssignmentOutput {
  const x = new Int32Array(n).fill(-1); // column of row
  const y = new Int32Array(n).fill(-1); // row of column
  const v = new Float64Array(n);
  const freeRows = new Int32Array(n);
  let nFree: number;

  if (n === 1) {
    x[0] = 0;
    y[0] = 0;
    v[0] = C[0];
  } else {
    // Column reduction: v_j = min_i C_ij, assign each column to its argmin row if that row is still free.
    v.fill(Infinity);
    for (let i = 0; i < n; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) {
        const c = C[row + j];
        if (c < v[j]) {
          v[j] = c;
          y[j] = i;
        }
      }
    }
    const unique = new Uint8Array(n).fill(1);
    for (let j = n - 1; j >= 0; j--) {
      const i = y[j];
      if (x[i] < 0) x[i] = j;
      else {
        unique[i] = 0;
        y[j] = -1;
      }
    }
    // Reduction transfer for rows assigned once.
    nFree = 0;
    for (let i = 0; i < n; i++) {
      if (x[i] < 0) freeRows[nFree++] = i;
      else if (unique[i]) {
        const j = x[i];
        const row = i * n;
        let min = Infinity;
        for (let j2 = 0; j2 < n; j2++) {
          if (j2 === j) continue;
          const c = C[row + j2] - v[j2];
          if (c < min) min = c;
        }
        v[j] -= min;
      }
    }
    // Two rounds of augmenting row reduction.
    for (let round = 0; round < 2 && nFree > 0; round++) nFree = augmentingRowReduction(C, n, nFree, freeRows, x, y, v);
    // Augmentation along shortest paths for the remaining free rows.
    if (nFree > 0) augment(C, n, nFree, freeRows, x, y, v);
  }
  // Row potentials: u_i = min_j (C_ij - v_j) (equal to C_{i,x_i} - v_{x_i} at optimality).
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let min = Infinity;
    for (let j = 0; j < n; j++) {
      const c = C[row + j] - v[j];
      if (c < min) min = c;
    }
    u[i] = min;
  }
  return { colOfRow: x, u, v };
}

function augmentingRowReduction(C: Float64Array, n: number, nFree: number, freeRows: Int32Array, x: Int32Array, y: Int32Array, v: Float64Array): number {
  let current = 0;
  let newFree = 0;
  let rrCount = 0;
  while (current < nFree) {
    rrCount++;
    const freeI = freeRows[current++];
    const row = freeI * n;
    let j1 = 0;
    let v1 = C[row] - v[0];
    let j2 = -1;
    let v2 = Infinity;
    for (let j = 1; j < n; j++) {
      const c = C[row + j] - v[j];
      if (c < v2) {
        if (c >= v1) {
          v2 = c;
          j2 = j;
        } else {
          v2 = v1;
          v1 = c;
          j2 = j1;
          j1 = j;
        }
      }
    }
    let i0 = y[j1];
    const v1New = v[j1] - (v2 - v1);
    const v1Lowers = v1New < v[j1];
    // The classic bound rrCount < current * n can cost O(n^3) on geometric costs; cap the work at 4n scans per round.
    if (rrCount < current * n && rrCount < 4 * n) {
      if (v1Lowers) v[j1] = v1New;
      else if (i0 >= 0 && j2 >= 0) {
        j1 = j2;
        i0 = y[j2];
      }
      if (i0 >= 0) {
        if (v1Lowers) freeRows[--current] = i0;
        else freeRows[newFree++] = i0;
      }
    } else if (i0 >= 0) {
      freeRows[newFree++] = i0;
    }
    x[freeI] = j1;
    y[j1] = freeI;
  }
  return newFree;
}

function augment(C: Float64Array, n: number, nFree: number, freeRows: Int32Array, x: Int32Array, y: Int32Array, v: Float64Array): void {
  const pred = new Int32Array(n);
  const cols = new Int32Array(n);
  const d = new Float64Array(n);
  for (let f = 0; f < nFree; f++) {
    const startI = freeRows[f];
    // Shortest path from startI to a free column (Dijkstra on reduced costs, cols partitioned into READY | SCAN | TODO).
    let lo = 0;
    let hi = 0;
    let nReady = 0;
    let finalJ = -1;
    let levelMin = 0; // distance of the columns currently in SCAN
    const srow = startI * n;
    for (let j = 0; j < n; j++) {
      cols[j] = j;
      d[j] = C[srow + j] - v[j];
      pred[j] = startI;
    }
    while (finalJ < 0) {
      if (lo === hi) {
        nReady = lo;
        // Move every TODO column with minimal d into SCAN.
        hi = lo + 1;
        let mind = d[cols[lo]];
        for (let k = hi; k < n; k++) {
          const j = cols[k];
          const dj = d[j];
          if (dj <= mind) {
            if (dj < mind) {
              hi = lo;
              mind = dj;
            }
            cols[k] = cols[hi];
            cols[hi++] = j;
          }
        }
        levelMin = mind;
        for (let k = lo; k < hi; k++) {
          if (y[cols[k]] < 0) {
            finalJ = cols[k];
            break;
          }
        }
      }
      if (finalJ < 0) {
        // Scan the SCAN columns.
        while (lo !== hi && finalJ < 0) {
          const j0 = cols[lo++];
          const i = y[j0];
          const mind = d[j0];
          const row = i * n;
          const h = C[row + j0] - v[j0] - mind;
          for (let k = hi; k < n; k++) {
            const j = cols[k];
            const cred = C[row + j] - v[j] - h;
            if (cred < d[j]) {
              d[j] = cred;
              pred[j] = i;
              if (cred === mind) {
                if (y[j] < 0) {
                  finalJ = j;
                  break;
                }
                cols[k] = cols[hi];
                cols[hi++] = j;
              }
            }
          }
        }
      }
    }
    // Update prices of READY columns.
    for (let k = 0; k < nReady; k++) {
      const j = cols[k];
      v[j] += d[j] - levelMin;
    }
    // Augment along the path.
    let j = finalJ;
    let i = -1;
    while (i !== startI) {
      i = pred[j];
      y[j] = i;
      const tmp = x[i];
      x[i] = j;
      j = tmp;
    }
  }
}
