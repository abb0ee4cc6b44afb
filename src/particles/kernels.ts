// Kernel sums over particles (row-major n x d Float64Array): the SVGD direction, a Gaussian KDE score, the MMD
// witness gradient and MMD^2, and the median heuristic. Each pair's kernel is evaluated once (symmetric loops).
// NaN inputs propagate to NaN outputs (medianSqDistance returns NaN); nothing here throws on NaN.
import { fastExp } from './fastexp';
import { maxOf, selectInPlace } from './select';

let scratch = new Float64Array(0);
function scratchOf(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, Math.min(2 * scratch.length, 1 << 26)));
  return scratch;
}

function sqDist(x: Float64Array, i: number, j: number, d: number): number {
  let s = 0;
  const a = i * d, b = j * d;
  for (let t = 0; t < d; t++) {
    const u = x[a + t] - x[b + t];
    s += u * u;
  }
  return s;
}

/** Up to this many pairs, all pair distances are stored and selected directly. */
const DIRECT_PAIRS = 1 << 16;
const SAMPLE = 1 << 14;

/** Pair order statistics of rank r2 (0-based over the n(n-1)/2 pairs i < j) and r1 in {r2, r2 - 1, -1 (= 0)}. */
function pairOrderStats(x: Float64Array, n: number, d: number, r1: number, r2: number, direct: boolean): [number, number] {
  const M = (n * (n - 1)) / 2;
  const fromScratch = (a: Float64Array, cnt: number, k2: number): [number, number] => {
    const v2 = selectInPlace(a, 0, cnt - 1, k2);
    const v1 = r1 < 0 ? 0 : r1 === r2 ? v2 : maxOf(a, 0, k2);
    return [v1, v2];
  };
  const all = (): [number, number] => {
    const a = scratchOf(M);
    let c = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[c++] = sqDist(x, i, j, d);
    return fromScratch(a, M, r2);
  };
  if (direct || M <= DIRECT_PAIRS || r1 < 0) return all();
  // Floyd & Rivest (CACM 1975, "Expected time bounds for selection"): bracket the wanted rank by order statistics
  // of a random sample of pairs, count the pairs below the bracket, keep only those inside it, select there.
  const smp = new Float64Array(SAMPLE);
  let st = 0x9e3779b9 | 0;
  const rnd = (): number => {
    st ^= st << 13; st ^= st >>> 17; st ^= st << 5;
    return (st >>> 0) / 4294967296;
  };
  for (let s = 0; s < SAMPLE; s++) {
    const i = Math.floor(rnd() * n);
    let j = Math.floor(rnd() * (n - 1));
    if (j >= i) j++;
    smp[s] = sqDist(x, i, j, d);
  }
  smp.sort();
  const q = r2 / M, margin = Math.ceil(2.5 * Math.sqrt(SAMPLE)) + 2;
  const il = Math.floor(q * SAMPLE) - margin, iu = Math.ceil(q * SAMPLE) + margin;
  const lo = il <= 0 ? -Infinity : smp[il], hi = iu >= SAMPLE - 1 ? Infinity : smp[iu];
  const cap = Math.ceil((M * (iu - il)) / SAMPLE) * 2 + 4096;
  const a = scratchOf(cap);
  let below = 0, inside = 0;
  for (let i = 0; i < n; i++) {
    const xi0 = x[i * d], xi1 = d > 1 ? x[i * d + 1] : 0;
    for (let j = i + 1; j < n; j++) {
      let v: number;
      if (d === 2) {
        const u0 = xi0 - x[2 * j], u1 = xi1 - x[2 * j + 1];
        v = u0 * u0 + u1 * u1;
      } else v = sqDist(x, i, j, d);
      below += v < lo ? 1 : 0;
      if (v >= lo && v <= hi) {
        if (inside < cap) a[inside] = v;
        inside++;
      }
    }
  }
  // The bracket spans ~5 standard deviations of the sample quantile on each side, so this fallback (which stores all
  // n(n-1)/2 pairs: 4 n^2 bytes, kept as module scratch) is taken only for heavy ties or an unlucky sample.
  if (inside > cap || below > r1 || r2 >= below + inside) return all();
  return fromScratch(a, inside, r2 - below);
}

/**
 * numpy.median of the full n x n matrix of squared distances, zero diagonal included (n^2 entries; the mean of
 * the two middle values when n^2 is even), as in the SVGD reference code's median heuristic (Liu & Wang 2016,
 * sec. 5). Uses selection, not sorting: the n zeros sort first and every pair appears twice. `direct` forces
 * storing all pairs (for tests). NaN if any coordinate is NaN.
 */
export function medianSqDistance(x: Float64Array, n: number, d: number, direct = false): number {
  if (!(n >= 1)) throw new RangeError(`median: need at least 1 particle, got n = ${n}`);
  for (let i = 0; i < n * d; i++) if (x[i] !== x[i]) return NaN;
  if (n === 1) return 0;
  const N = n * n, k2 = Math.floor(N / 2), k1 = N % 2 ? k2 : k2 - 1;
  const rank = (k: number): number => (k < n ? -1 : Math.floor((k - n) / 2));
  const r1 = rank(k1), r2 = rank(k2);
  if (r2 < 0) return 0;
  const [v1, v2] = pairOrderStats(x, n, d, r1, r2, direct);
  return 0.5 * (v1 + v2);
}

/**
 * The SVGD reference code's bandwidth h = med / log(n + 1) for k(x, y) = exp(-|x - y|^2 / h). It is 0 when n = 1
 * or when at least half of the n^2 entries are 0 (most particles coincide); svgdDirection takes h = 0 as the limit.
 */
export function medianBandwidth(x: Float64Array, n: number, d: number): number {
  return medianSqDistance(x, n, d) / Math.log(n + 1);
}

/**
 * SVGD direction (Liu & Wang 2016, eq. 8): phi(x_i) = (1/n) sum_j [k(x_j, x_i) grad log pi(x_j) +
 * grad_{x_j} k(x_j, x_i)], k(x, y) = exp(-|x - y|^2 / h), so grad_{x_j} k(x_j, x_i) = (2/h) (x_i - x_j) k.
 * O(n^2 d), one exp per unordered pair. out (n x d) must not alias x or gradLogPi. h = +Infinity gives k = 1;
 * h = 0 (or subnormal) the limit kernel 1{x_i = x_j}; h < 0 or NaN throws a RangeError.
 */
export function svgdDirection(x: Float64Array, n: number, d: number, gradLogPi: Float64Array, h: number, out: Float64Array): void {
  if (!(h >= 0)) throw new RangeError(`svgd: bandwidth must be a number >= 0, got ${h}`);
  const ih = 1 / h, c = 2 / h, nd = n * d;
  for (let k = 0; k < nd; k++) out[k] = gradLogPi[k]; // self term: k = 1, no repulsion
  if (!(ih < Infinity)) {
    // h = 0 or subnormal (the median heuristic when most particles coincide): the limit kernel 1{x_i = x_j},
    // whose repulsion term (2/h) k (x_i - x_j) vanishes.
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (sqDist(x, i, j, d) !== 0) continue;
        for (let t = 0; t < d; t++) { out[i * d + t] += gradLogPi[j * d + t]; out[j * d + t] += gradLogPi[i * d + t]; }
      }
    }
  } else if (d === 2) {
    for (let i = 0; i < n; i++) {
      const a = 2 * i, xi0 = x[a], xi1 = x[a + 1], gi0 = gradLogPi[a], gi1 = gradLogPi[a + 1];
      let s0 = 0, s1 = 0;
      for (let j = i + 1; j < n; j++) {
        const b = 2 * j;
        const u0 = xi0 - x[b], u1 = xi1 - x[b + 1];
        const k = fastExp(-(u0 * u0 + u1 * u1) * ih);
        const ck = c * k;
        s0 += k * gradLogPi[b] + ck * u0;
        s1 += k * gradLogPi[b + 1] + ck * u1;
        out[b] += k * gi0 - ck * u0;
        out[b + 1] += k * gi1 - ck * u1;
      }
      out[a] += s0;
      out[a + 1] += s1;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const a = i * d;
      for (let j = i + 1; j < n; j++) {
        const b = j * d;
        const k = fastExp(-sqDist(x, i, j, d) * ih), ck = c * k;
        for (let t = 0; t < d; t++) {
          const u = x[a + t] - x[b + t];
          out[a + t] += k * gradLogPi[b + t] + ck * u;
          out[b + t] += k * gradLogPi[a + t] - ck * u;
        }
      }
    }
  }
  const inv = 1 / n;
  for (let k = 0; k < nd; k++) out[k] *= inv;
}

/**
 * Score of the Gaussian kernel density estimate at the particles (the forward-kde scheme of issue 7):
 * grad log rho_h(x_i), rho_h = (1/n) sum_j N(x_j, h^2 I), self term included, = sum_j w_ij (x_j - x_i) / h^2 with
 * w_ij proportional to exp(-|x_i - x_j|^2 / (2 h^2)). The self term makes the largest exponent of every row
 * exactly 0, so the row sums are >= 1 and never underflow (the subtracted row maximum is 0).
 */
export function kdeScore(x: Float64Array, n: number, d: number, h: number, out: Float64Array): void {
  const ih = 1 / (2 * h * h), nd = n * d;
  const sum = new Float64Array(n).fill(1);
  out.fill(0, 0, nd);
  for (let i = 0; i < n; i++) {
    const a = i * d;
    let si = 0;
    for (let j = i + 1; j < n; j++) {
      const b = j * d;
      const k = fastExp(-sqDist(x, i, j, d) * ih);
      si += k;
      sum[j] += k;
      for (let t = 0; t < d; t++) {
        const u = k * (x[b + t] - x[a + t]);
        out[a + t] += u;
        out[b + t] -= u;
      }
    }
    sum[i] += si;
  }
  const ih2 = 1 / (h * h);
  for (let i = 0; i < n; i++) {
    const f = ih2 / sum[i];
    for (let t = 0; t < d; t++) out[i * d + t] *= f;
  }
}

/**
 * A default KDE bandwidth: Silverman's rule of thumb for the normal kernel (Silverman 1986, eq. 4.14),
 * h = (4 / ((d + 2) n))^{1/(d+4)} sigma, sigma^2 the average of the coordinates' sample variances (1/(n-1)).
 * Throws a RangeError when the particles have no spread (n = 1 or all equal).
 */
export function silvermanBandwidth(x: Float64Array, n: number, d: number): number {
  let v = 0;
  for (let t = 0; t < d; t++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * d + t];
    m /= n;
    let s = 0;
    for (let i = 0; i < n; i++) s += (x[i * d + t] - m) ** 2;
    v += s / (n - 1);
  }
  const sigma = Math.sqrt(v / d);
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`bandwidth: the particles have no spread (n = ${n}); give a positive bandwidth`);
  return (4 / ((d + 2) * n)) ** (1 / (d + 4)) * sigma;
}

/** out_i += f sum_j k(z_i, p_j) (p_j - z_i), k = exp(-|z - p|^2 / (2 s^2)). */
function crossGrad(z: Float64Array, nz: number, p: Float64Array, np: number, d: number, s: number, f: number, out: Float64Array): void {
  const ih = 1 / (2 * s * s);
  for (let i = 0; i < nz; i++) {
    const a = i * d;
    for (let j = 0; j < np; j++) {
      const b = j * d;
      let q = 0;
      for (let t = 0; t < d; t++) {
        const u = z[a + t] - p[b + t];
        q += u * u;
      }
      const k = f * fastExp(-q * ih);
      for (let t = 0; t < d; t++) out[a + t] += k * (p[b + t] - z[a + t]);
    }
  }
}

/**
 * Gradient at the points z of the MMD witness w(z) = (1/n) sum_j k(z, x_j) - (1/m) sum_l k(z, y_l),
 * k = exp(-|.|^2 / (2 s^2)): the Wasserstein gradient of F = 1/2 MMD^2(mu, pi) (Arbel et al. 2019, "Maximum mean
 * discrepancy gradient flow", the flow's velocity field), so the MMD flow moves x_i by -g grad w(x_i + beta u_i).
 * When z === x (beta = 0) the xx part uses symmetric pairs.
 */
export function mmdWitnessGrad(z: Float64Array, nz: number, x: Float64Array, n: number, y: Float64Array, m: number, d: number, s: number, out: Float64Array): void {
  const is2 = 1 / (s * s);
  out.fill(0, 0, nz * d);
  if (z === x && nz === n) {
    const ih = is2 / 2, invn = 1 / n;
    for (let i = 0; i < n; i++) {
      const a = i * d;
      for (let j = i + 1; j < n; j++) {
        const b = j * d;
        const k = fastExp(-sqDist(x, i, j, d) * ih) * invn;
        for (let t = 0; t < d; t++) {
          const u = k * (x[b + t] - x[a + t]);
          out[a + t] += u;
          out[b + t] -= u;
        }
      }
    }
  } else {
    crossGrad(z, nz, x, n, d, s, 1 / n, out);
  }
  crossGrad(z, nz, y, m, d, s, -1 / m, out);
  for (let k = 0; k < nz * d; k++) out[k] *= is2;
}

/** (1/m^2) sum_{l, l'} k(y_l, y_l'), k = exp(-|.|^2 / (2 s^2)): the target term of MMD^2, cacheable. */
export function mmd2SelfTerm(y: Float64Array, m: number, d: number, s: number): number {
  const ih = 1 / (2 * s * s);
  let acc = 0;
  for (let i = 0; i < m; i++) {
    let row = 0;
    for (let j = i + 1; j < m; j++) row += fastExp(-sqDist(y, i, j, d) * ih);
    acc += row;
  }
  return (2 * acc + m) / (m * m);
}

/**
 * Biased (V-statistic) MMD^2 with the Gaussian kernel exp(-|.|^2 / (2 s^2)) (Gretton et al. 2012, eq. 5), the
 * convention of src/ot/mmd2 with bandwidth s; pass yySelf = mmd2SelfTerm(y, m, d, s) to reuse a fixed sample's term.
 */
export function mmd2Gaussian(x: Float64Array, n: number, y: Float64Array, m: number, d: number, s: number, yySelf?: number): number {
  const ih = 1 / (2 * s * s);
  let xy = 0;
  for (let i = 0; i < n; i++) {
    const a = i * d;
    let row = 0;
    for (let j = 0; j < m; j++) {
      const b = j * d;
      let q = 0;
      for (let t = 0; t < d; t++) {
        const u = x[a + t] - y[b + t];
        q += u * u;
      }
      row += fastExp(-q * ih);
    }
    xy += row;
  }
  return mmd2SelfTerm(x, n, d, s) + (yySelf ?? mmd2SelfTerm(y, m, d, s)) - (2 * xy) / (n * m);
}
