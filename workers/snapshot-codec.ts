// The wire and storage form of a Snapshot: small JSON metadata plus one float32 bulk array (positions, masses).
import type { Snapshot } from '../src/engine/types';

export interface EncodedSnapshot {
  readonly iteration: number;
  readonly kind: string;
  readonly meta: string;
  readonly data: Float32Array | null;
}

export function encodeSnapshot(s: Snapshot): EncodedSnapshot {
  switch (s.kind) {
    case 'gaussian': {
      const d = s.mean.length;
      const cov = s.cov ? Array.from({ length: d }, (_, i) => Array.from(s.cov!.subarray(i * d, (i + 1) * d))) : null;
      return { iteration: s.iteration, kind: s.kind, meta: JSON.stringify({ dim: d, mean: Array.from(s.mean), ...(cov ? { cov } : { diag: Array.from(s.diag!) }) }), data: null };
    }
    case 'particles':
      return { iteration: s.iteration, kind: s.kind, meta: JSON.stringify({ dim: s.dim, n: s.positions.length / s.dim, ...(s.weights ? { weights: Array.from(s.weights) } : {}) }), data: Float32Array.from(s.positions) };
    case 'grid':
      return { iteration: s.iteration, kind: s.kind, meta: JSON.stringify({ shape: s.shape, ...(s.channels ? { channels: s.channels } : {}), ...(s.lo ? { lo: s.lo, hi: s.hi } : {}) }), data: Float32Array.from(s.masses) };
  }
}
