// Lab benchmarks (placeholder until the real ones land).
import type { BenchRow } from './table';

export async function runLabBench(): Promise<BenchRow[]> {
  return [];
}
