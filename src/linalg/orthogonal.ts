// A Haar-distributed random orthogonal matrix: Q from the QR factorization of a d x d standard Gaussian matrix with
// the signs of R's diagonal moved into Q (Mezzadri, How to generate random matrices from the classical compact
// groups, Notices AMS 2007), computed by modified Gram-Schmidt on the columns.
import type { Rng } from '../random';

/** Row-major d x d orthogonal matrix Q (columns orthonormal). */
export function randomOrthogonal(d: number, rng: Rng): Float64Array {
  const g = new Float64Array(d * d);
  for (let k = 0; k < d * d; k++) g[k] = rng.normal();
  // columns of g, orthonormalized in place; R_jj > 0 by construction, which is the sign convention above
  for (let j = 0; j < d; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let r = 0; r < d; r++) dot += g[r * d + i] * g[r * d + j];
        for (let r = 0; r < d; r++) g[r * d + j] -= dot * g[r * d + i];
      }
    }
    let nrm = 0;
    for (let r = 0; r < d; r++) nrm += g[r * d + j] * g[r * d + j];
    nrm = Math.sqrt(nrm);
    if (!(nrm > 0)) throw new RangeError('randomOrthogonal: degenerate Gaussian matrix');
    for (let r = 0; r < d; r++) g[r * d + j] /= nrm;
  }
  return g;
}
