// Deterministic, disjoint parts of a setup's runs, for running one setup as N jobs (e.g. a Slurm job array):
// the run at expansion index i (0-based, the order parseSetup returns) belongs to part (i mod N) + 1. Every run is
// in exactly one part and the union of the N parts is the whole setup.

export interface Shard {
  /** 1-based part number, 1 <= index <= count. */
  readonly index: number;
  readonly count: number;
}

export const inShard = (runIndex: number, shard: Shard): boolean => runIndex % shard.count === shard.index - 1;

/**
 * Parses "I/N" (1 <= I <= N) or "auto/N", where auto takes I from `taskId` (e.g. SLURM_ARRAY_TASK_ID, 1..N).
 * Throws a RangeError that says what is allowed.
 */
export function parseShard(text: string, taskId?: string): Shard {
  const m = /^(auto|\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new RangeError(`--shard must be I/N (1 <= I <= N) or auto/N, got "${text}"`);
  const count = Number(m[2]);
  if (!(count >= 1 && count <= 100_000)) throw new RangeError(`--shard ${text}: N must be a whole number from 1 to 100000`);
  let index: number;
  if (m[1] === 'auto') {
    if (taskId === undefined || !/^\d+$/.test(taskId)) throw new RangeError(`--shard auto/${count} takes I from SLURM_ARRAY_TASK_ID, which is ${taskId === undefined ? 'not set' : `"${taskId}"`}; submit with --array=1-${count} or give I/N`);
    index = Number(taskId);
  } else {
    index = Number(m[1]);
  }
  if (!(index >= 1 && index <= count)) throw new RangeError(`--shard ${text}: I must be from 1 to ${count}, got ${index}`);
  return { index, count };
}
