// Standard normals for the particle schemes' noise by the ziggurat method (Marsaglia & Tsang, J. Stat. Softw. 5(8),
// 2000, RNOR with 128 layers), with Doornik's fix (2005, "An improved ziggurat method..."): the layer index comes
// from bits independent of the magnitude (one 32-bit draw gives the indices of four normals).
import type { Rng } from '../random';

const KN = new Float64Array(128), WN = new Float64Array(128), FN = new Float64Array(128);
{
  const m1 = 2147483648, vn = 9.91256303526217e-3;
  let dn = 3.442619855899, tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  KN[0] = Math.floor((dn / q) * m1); KN[1] = 0;
  WN[0] = q / m1; WN[127] = dn / m1;
  FN[0] = 1; FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = Math.floor((dn / tn) * m1);
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / m1;
  }
}
const R = 3.442619855899;

/** The rejection branch of RNOR (wedges and the tail beyond R, Marsaglia 1964). */
function slow(rng: Rng, hz: number, iz: number): number {
  for (;;) {
    let x = hz * WN[iz];
    if (iz === 0) {
      let y: number;
      do {
        x = -Math.log(1 - rng.uniform()) / R;
        y = -Math.log(1 - rng.uniform());
      } while (y + y < x * x);
      return hz > 0 ? R + x : -R - x;
    }
    if (FN[iz] + rng.uniform() * (FN[iz - 1] - FN[iz]) < Math.exp(-0.5 * x * x)) return x;
    hz = rng.nextUint32() | 0;
    iz = rng.nextUint32() & 127;
    if (Math.abs(hz) < KN[iz]) return hz * WN[iz];
  }
}

/**
 * Fills `out` with independent standard normals drawn from `rng` by the ziggurat (a different stream from
 * rng.fillNormal, about twice as fast); deterministic for a seed. Returns out.
 */
export function fillNormalZiggurat(rng: Rng, out: Float64Array): Float64Array {
  const len = out.length;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    const slot = i & 3;
    if (slot === 0) bits = rng.nextUint32();
    const iz = (bits >>> (7 * slot)) & 127;
    const hz = rng.nextUint32() | 0;
    out[i] = Math.abs(hz) < KN[iz] ? hz * WN[iz] : slow(rng, hz, iz);
  }
  return out;
}
