// Euclidean projection onto the scaled simplex {p >= 0, sum p = m} (Held, Wolfe & Crowder 1974; Duchi et al. 2008, Fig. 1).
export function projectSimplex(v: Float64Array, m: number, out: Float64Array): void {
  const n = v.length;
  const u = Float64Array.from(v).sort().reverse();
  let css = 0, theta = 0;
  for (let k = 0; k < n; k++) {
    css += u[k];
    const t = (css - m) / (k + 1);
    if (u[k] - t > 0) theta = t;
  }
  for (let i = 0; i < n; i++) out[i] = Math.max(v[i] - theta, 0);
}
