// Sharding a setup into disjoint parts, merging the parts' databases, and the Slurm script, end to end with real
// processes (a fake sbatch on PATH runs the submitted jobs locally).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLabDatabase, type LabDatabase } from '../../db/lab-db';
import { inShard, parseShard } from '../../src/setup/shard';
import { CLI, gaussianSetup, removeTempDirs, ROOT, tempDir } from './helpers';

afterAll(removeTempDirs);

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });

/** spec JSON -> { metric -> values } of every run of a database. */
function runsBySpec(db: LabDatabase): Map<string, Record<string, number[]>> {
  const out = new Map<string, Record<string, number[]>>();
  for (const r of db.listRuns()) {
    const names = JSON.parse(r.metric_names_json ?? '[]') as string[];
    out.set(r.spec_json, Object.fromEntries(names.map((n) => [n, db.readSeries(r.id, n).values])));
  }
  return out;
}

describe('shards', () => {
  it('partition the runs: disjoint parts whose union is the setup, for many sizes', () => {
    for (const total of [1, 2, 7, 10, 101]) {
      for (const count of [1, 2, 3, 7, 12]) {
        const owners = Array.from({ length: total }, (_, i) => Array.from({ length: count }, (_, j) => j + 1).filter((index) => inShard(i, { index, count })));
        expect(owners.every((o) => o.length === 1)).toBe(true);
      }
    }
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShard('auto/4', '3')).toEqual({ index: 3, count: 4 });
    expect(() => parseShard('0/4')).toThrow(/I must be from 1 to 4/);
    expect(() => parseShard('auto/4')).toThrow(/SLURM_ARRAY_TASK_ID, which is not set/);
    expect(() => parseShard('1-4')).toThrow(/must be I\/N/);
  });

  it('run as separate processes and merged equal a single-process run, run by run and value by value; merging twice adds nothing', () => {
    const dir = tempDir();
    const file = path.join(dir, 'setup.json');
    // particle ULA: random, so equality shows that each run keeps its seed's stream across processes
    writeFileSync(file, JSON.stringify({
      name: 'sharded', iterations: 30, seeds: [0, 1, 2], metrics_every: 10,
      problem: { kind: 'kl', target: { kind: 'gaussian', mean: [0, 0], cov: { diag: [1, 2] } }, init: { kind: 'gaussian', mean: [3, 3], cov: { diag: [1, 1] }, particles: 50 }, metrics: ['energy', 'kl'] },
      scheme: { kind: 'ula', step: 0.1 },
      sweep: { 'scheme.step': [0.05, 0.1] },
    }));
    const single = path.join(dir, 'single.sqlite');
    expect(cli(['run', file, '--db', single]).status).toBe(0);
    const parts = [1, 2, 3, 4].map((i) => path.join(dir, `part-${i}.sqlite`));
    parts.forEach((p, i) => {
      const r = cli(['run', file, '--db', p, '--shard', `${i + 1}/4`]);
      expect(r.status, r.stderr).toBe(0);
    });
    const merged = path.join(dir, 'merged.sqlite');
    const m1 = cli(['merge', '--into', merged, ...parts]);
    expect(m1.status, m1.stderr).toBe(0);
    const a = openLabDatabase(single);
    const b = openLabDatabase(merged);
    try {
      const want = runsBySpec(a);
      const got = runsBySpec(b);
      expect(want.size).toBe(6);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [spec, series] of want) expect(got.get(spec)).toEqual(series);
      expect(b.listRuns().every((r) => /^[0-9a-f]{32}:\d+$/.test((r as unknown as { origin: string }).origin))).toBe(true);
      expect(b.listSetups()).toHaveLength(1);
    } finally {
      a.close();
      b.close();
    }
    const m2 = cli(['merge', '--into', merged, ...parts]);
    expect(m2.status).toBe(0);
    expect(m2.stderr).toMatch(/0 run\(s\) copied .* already merged/);
    const c = openLabDatabase(merged);
    try {
      expect(c.listRuns()).toHaveLength(6);
    } finally {
      c.close();
    }
    expect(cli(['merge', '--into', merged, path.join(dir, 'nope.sqlite')]).status).toBe(1);
  });

  it('the slurm script submits the array and the merge; with a fake sbatch it produces the whole setup in lab.sqlite', () => {
    const dir = tempDir();
    const file = path.join(dir, 'setup.json');
    writeFileSync(file, JSON.stringify({ ...gaussianSetup({ iterations: 20, seeds: [0, 1] }), sweep: { 'scheme.step': [0.02, 0.05, 0.1] } }));
    const r = cli(['slurm', file, '--parts', '4', '--time', '00:10:00', '--cpus', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/#SBATCH --array=1-4/);
    expect(r.stdout).toMatch(/--dependency=afterany:/);
    writeFileSync(path.join(dir, 'submit.sh'), r.stdout);
    // fake sbatch: runs the job script from stdin once per array index (or once), prints a job id
    const bin = path.join(dir, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    writeFileSync(path.join(bin, 'sbatch'), `#!/usr/bin/env bash
set -euo pipefail
script=$(cat)
n=$(printf '%s\\n' "$script" | sed -n 's/^#SBATCH --array=1-\\([0-9]*\\)$/\\1/p')
echo "$*" >> "${dir}/sbatch-calls.txt"
if [ -n "$n" ]; then
  for i in $(seq 1 "$n"); do SLURM_ARRAY_TASK_ID=$i SLURM_CPUS_PER_TASK=2 bash -c "$script" > "${dir}/job-$i.log" 2>&1; done
else
  bash -c "$script" > "${dir}/job-merge.log" 2>&1
fi
echo 4242
`);
    chmodSync(path.join(bin, 'sbatch'), 0o755);
    const run = spawnSync('bash', ['submit.sh'], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, WGFLAB: `${process.execPath} ${CLI}` } });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(existsSync(path.join(dir, 'lab.sqlite'))).toBe(true);
    const db = openLabDatabase(path.join(dir, 'lab.sqlite'));
    try {
      const runs = db.listRuns();
      expect(runs).toHaveLength(6);
      expect(runs.every((x) => x.status === 'done')).toBe(true);
    } finally {
      db.close();
    }
    expect(cli(['slurm', file]).status).toBe(2);
  });
});
