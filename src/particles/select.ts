// Selection of the k-th smallest value in place (Hoare's FIND, CACM 1961, Algorithm 65, with a median-of-three
// pivot): expected O(n), no allocation.

/**
 * Permutes a[lo..hi] (inclusive) so that a[k] is its (k - lo)-th smallest value, every entry of a[lo..k-1] is
 * <= a[k] and every entry of a[k+1..hi] is >= a[k]. Values must not be NaN. Returns a[k].
 */
export function selectInPlace(a: Float64Array, lo: number, hi: number, k: number): number {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    let p = a[mid];
    const u = a[lo], w = a[hi];
    // median of a[lo], a[mid], a[hi]
    if (u > p) { if (w > u) p = u; else if (w > p) p = w; } else if (w < p) p = w > u ? w : u;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++; j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break; // a[j+1..i-1] all equal p
  }
  return a[k];
}

/** Largest value of a[lo..hi) (hi > lo). */
export function maxOf(a: Float64Array, lo: number, hi: number): number {
  let m = a[lo];
  for (let i = lo + 1; i < hi; i++) if (a[i] > m) m = a[i];
  return m;
}
