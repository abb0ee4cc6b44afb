// Derived views of neuron snapshots for plots: Chizat & Bach (2018) draw a 2-homogeneous ReLU neuron u = (b, a) as
// |b| a, the point whose direction and length say where and how strongly the unit acts (their Fig. 1-2 paths).

/** For m neurons u_i = (b_i, a_i) (row-major m x dim), writes |b_i| a_i (m x (dim - 1)) and returns it. */
export function homogeneousView(positions: Float64Array, m: number, dim: number, out: Float64Array = new Float64Array(m * (dim - 1))): Float64Array {
  if (dim < 2 || positions.length !== m * dim) throw new RangeError(`homogeneousView: ${positions.length} coordinates are not ${m} neurons of dimension ${dim} >= 2`);
  const k = dim - 1;
  for (let i = 0; i < m; i++) {
    const b = Math.abs(positions[i * dim]);
    for (let c = 0; c < k; c++) out[i * k + c] = b * positions[i * dim + 1 + c];
  }
  return out;
}
