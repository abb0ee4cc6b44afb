// `wgflab slurm setup.json --parts N [--time HH:MM:SS] [--cpus C] [--partition P]` prints a bash script that submits
// a Slurm job array of N shards (`wgflab run setup.json --shard auto/N --db parts/part-I.sqlite`) and a job that
// depends on it and merges the parts (`wgflab merge --into lab.sqlite parts/part-*.sqlite`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSetup, countRuns } from '../../src/setup/schema';
import { formatIssue } from '../../src/setup/issues';

type Io = { stdout(s: string): void; stderr(s: string): void };

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface SlurmOptions {
  readonly setupFile: string;
  readonly parts: number;
  readonly time: string;
  readonly cpus: number;
  readonly partition?: string;
  /** How the job calls the CLI (default `npx wgflab`). */
  readonly wgflab: string;
  readonly jobName: string;
}

export function slurmScript(o: SlurmOptions): string {
  const setup = quote(path.resolve(o.setupFile));
  const partition = o.partition ? `#SBATCH --partition=${o.partition}\n` : '';
  return `#!/usr/bin/env bash
# Submits ${o.parts} shards of ${o.setupFile} as a Slurm job array, then a job that merges them into lab.sqlite.
# Run it from the folder that should hold parts/ and lab.sqlite: bash submit.sh
set -euo pipefail
mkdir -p parts logs
array_id=$(sbatch --parsable <<'WGFLAB_ARRAY'
#!/usr/bin/env bash
#SBATCH --job-name=${o.jobName}
#SBATCH --array=1-${o.parts}
#SBATCH --cpus-per-task=${o.cpus}
#SBATCH --time=${o.time}
${partition}#SBATCH --output=logs/${o.jobName}-%A_%a.log
set -euo pipefail
\${WGFLAB:-${o.wgflab}} run ${setup} --shard auto/${o.parts} --db "parts/part-\${SLURM_ARRAY_TASK_ID}.sqlite" --workers "\${SLURM_CPUS_PER_TASK:-${o.cpus}}"
WGFLAB_ARRAY
)
array_id=\${array_id%%;*}
sbatch --parsable --dependency=afterany:"\${array_id}" <<'WGFLAB_MERGE'
#!/usr/bin/env bash
#SBATCH --job-name=${o.jobName}-merge
#SBATCH --cpus-per-task=1
#SBATCH --time=${o.time}
${partition}#SBATCH --output=logs/${o.jobName}-merge-%j.log
set -euo pipefail
\${WGFLAB:-${o.wgflab}} merge --into lab.sqlite parts/part-*.sqlite
WGFLAB_MERGE
echo "submitted job array \${array_id} (${o.parts} parts) and its merge job"
`;
}

export function slurmCommand(args: readonly string[], io: Io): number {
  const usage = 'usage: wgflab slurm <setup.json> --parts N [--time HH:MM:SS] [--cpus C] [--partition P] > submit.sh';
  const opts = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [k, v] = a.includes('=') ? [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a.slice(2), args[++i]];
      if (!['parts', 'time', 'cpus', 'partition'].includes(k) || v === undefined) {
        io.stderr(`wgflab slurm: ${v === undefined ? `option --${k} needs a value` : `unknown option --${k}`}\n${usage}\n`);
        return 2;
      }
      opts.set(k, v);
    } else positional.push(a);
  }
  if (positional.length !== 1 || !opts.has('parts')) {
    io.stderr(`wgflab slurm: ${positional.length !== 1 ? 'give one setup file' : 'missing --parts'}\n${usage}\n`);
    return 2;
  }
  const parts = Number(opts.get('parts'));
  const cpus = Number(opts.get('cpus') ?? '1');
  const time = opts.get('time') ?? '01:00:00';
  if (!Number.isInteger(parts) || parts < 1 || parts > 100_000) { io.stderr(`wgflab slurm: --parts must be a whole number from 1 to 100000, got "${opts.get('parts')}"\n`); return 2; }
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 256) { io.stderr(`wgflab slurm: --cpus must be a whole number from 1 to 256, got "${opts.get('cpus')}"\n`); return 2; }
  if (!/^(\d+-)?\d{1,3}(:\d{2}){0,2}$/.test(time)) { io.stderr(`wgflab slurm: --time must be Slurm's [D-]HH:MM:SS, got "${time}"\n`); return 2; }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(positional[0], 'utf8'));
  } catch (e) {
    io.stderr(`wgflab slurm: cannot read setup file ${positional[0]}: ${(e as Error).message}\n`);
    return 2;
  }
  const parsed = parseSetup(json);
  if (!parsed.ok) {
    for (const issue of parsed.issues) io.stderr(`${formatIssue(issue)}\n`);
    return 2;
  }
  const total = countRuns(parsed.value.setup);
  if (parts > total) io.stderr(`wgflab slurm: note: ${parts} parts for ${total} run(s): ${parts - total} part(s) will be empty\n`);
  const jobName = `wgflab-${parsed.value.setup.name.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 40)}`;
  io.stdout(slurmScript({ setupFile: positional[0], parts, time, cpus, partition: opts.get('partition'), wgflab: 'npx --no-install wgflab', jobName }));
  return 0;
}
