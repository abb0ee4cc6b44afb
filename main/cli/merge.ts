// `wgflab merge --into lab.sqlite part-1.sqlite part-2.sqlite ...`: copies the parts' setups, runs, metrics and
// snapshots into one database (ids remapped, origins kept, idempotent). Exit 0, 1 on an unreadable part, 2 on usage.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openLabDatabase } from '../../db/lab-db';
import { mergeDatabase } from '../../db/merge';

type Io = { stdout(s: string): void; stderr(s: string): void };

export async function mergeCommand(args: readonly string[], io: Io): Promise<number> {
  let into: string | undefined;
  const parts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--into') into = args[++i];
    else if (a.startsWith('--into=')) into = a.slice('--into='.length);
    else if (a.startsWith('--')) {
      io.stderr(`wgflab merge: unknown option ${a}; usage: wgflab merge --into <lab.sqlite> <part.sqlite>...\n`);
      return 2;
    } else parts.push(a);
  }
  if (!into || parts.length === 0) {
    io.stderr('wgflab merge: usage: wgflab merge --into <lab.sqlite> <part.sqlite>... (the target is created if missing)\n');
    return 2;
  }
  const missing = parts.filter((p) => !existsSync(p));
  if (missing.length) {
    io.stderr(`wgflab merge: no such database: ${missing.join(', ')}\n`);
    return 1;
  }
  const target = openLabDatabase(into);
  let failed = 0;
  try {
    for (const part of parts) {
      if (path.resolve(part) === path.resolve(into)) {
        io.stderr(`wgflab merge: skipping ${part}: it is the target\n`);
        continue;
      }
      try {
        const r = mergeDatabase(target, part);
        io.stderr(`${part}: ${r.runsCopied} run(s) copied (${r.metricRows} metric rows, ${r.snapshots} snapshots, ${r.setupsCopied} new setup(s)), ${r.runsSkipped} already merged\n`);
      } catch (e) {
        failed++;
        io.stderr(`wgflab merge: ${part}: ${(e as Error).message}\n`);
      }
    }
  } finally {
    target.close();
  }
  return failed ? 1 : 0;
}
