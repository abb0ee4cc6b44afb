// The lab's headless commands: run a setup file, resume interrupted runs, export every run. They use the same
// LabService, Piscina pool and SQLite database as the desktop app.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunStatus, RunSummary } from '../../src/api';
import { LabError } from '../../src/api';
import { formatIssue } from '../../src/setup/issues';
import { snapshotsJson } from './export-snapshots';
import { presetById, presetsCommand, UnknownPresetError } from './presets';
import { mergeCommand } from './merge';
import { slurmCommand } from './slurm';
import { figureCommand } from './figure';
import { parseShard, type Shard } from '../../src/setup/shard';
import { defaultDbPath, userDataDir } from '../paths';
import { parseSetup } from '../../src/setup/schema';
import { CsvReferenceError, resolveCsvClouds } from './csv-clouds';
import { openLabDatabase, type LabDatabase, type RunRow } from '../../db/lab-db';
import { isDatabaseFileError } from '../../db/open-errors';
import { LabService, type LabServiceOptions } from '../lab-service';

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

export interface LabCliContext {
  readonly io: CliIo;
  readonly workerFile: () => string;
  readonly appVersion: string;
  /** Called with the running service so that SIGINT/SIGTERM can close it (runs become 'interrupted'). */
  readonly onService?: (service: LabService | null) => void;
  /** Progress line period in ms (default 2000). */
  readonly progressMs?: number;
}

export const USAGE = [
  'usage: wgflab run <setup.json> --db <file.sqlite> [--workers N]',
  '       wgflab run --preset <id> [--db <file.sqlite>] [--workers N] [--shard I/N|auto/N]',
  '       wgflab resume --db <file.sqlite> [--setup ID] [--workers N]',
  '       wgflab export --db <file.sqlite> --format json|csv [--snapshots]',
  '       wgflab presets [show <id>]',
  '       wgflab merge --into <lab.sqlite> <part.sqlite>...',
  '       wgflab slurm <setup.json> --parts N [--time HH:MM:SS] [--cpus C] [--partition P]',
  '       wgflab figure (--runs 1,2 | --setup ID) --metric M [--group-by a,b] [--x iteration|time|wall] --out fig.svg|fig.csv',
  '  (--db defaults to the desktop app\'s database; see the README)',
  '       wgflab ot <method> <case.json>',
].join('\n');

/** A usage error: exit code 2 with the message and the usage text. */
export class UsageError extends Error {}

interface ParsedArgs {
  readonly positional: string[];
  readonly options: Map<string, string>;
}

/** Parses "--name value" and "--name=value" options, and the value-less `flags` ("--name" alone, stored as "true"). */
export function parseArgs(args: readonly string[], allowed: readonly string[], flags: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (flags.includes(name)) {
        if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
        options.set(name, 'true');
        continue;
      }
      if (!allowed.includes(name)) throw new UsageError(`unknown option --${name}; allowed here: ${[...allowed, ...flags].map((o) => `--${o}`).join(', ') || 'none'}`);
      let value: string | undefined;
      if (eq >= 0) value = a.slice(eq + 1);
      else if (i + 1 < args.length) value = args[++i];
      if (value === undefined || value === '') throw new UsageError(`option --${name} needs a value`);
      if (options.has(name)) throw new UsageError(`option --${name} is given twice`);
      options.set(name, value);
    } else {
      positional.push(a);
    }
  }
  return { positional, options };
}

function requireOption(p: ParsedArgs, name: string): string {
  const v = p.options.get(name);
  if (v === undefined) {
    // The same database as the desktop app unless told otherwise, so the CLI and the app see the same runs.
    if (name === 'db') return defaultDbPath(userDataDir());
    throw new UsageError(`missing --${name}`);
  }
  return v;
}

function workersOption(p: ParsedArgs): number | undefined {
  const v = p.options.get('workers');
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) throw new UsageError(`--workers must be a whole number from 1 to 256, got "${v}"`);
  return Number(v);
}

function expectPositional(p: ParsedArgs, n: number, what: string): void {
  if (p.positional.length !== n) throw new UsageError(p.positional.length < n ? `missing ${what}` : `unexpected argument "${p.positional[n]}"`);
}

const describeRun = (r: RunSummary): string => `run ${r.id} (${r.label})`;

/** Follows the service's events: one stderr line per status change, and a progress line now and then. */
function reportProgress(service: LabService, ctx: LabCliContext): () => void {
  const status = new Map<number, RunStatus>();
  const latest = new Map<number, RunSummary>();
  let dirty = false;
  const me = service.ownership.label;
  const off = service.onEvent((e) => {
    if (e.type === 'stale') {
      for (const p of e.processes) ctx.io.stderr(`process ${p.label} stopped renewing its lease; its running runs are now interrupted\n`);
      return;
    }
    // Only this command's runs (another process's runs on the same file are reported by the watcher too).
    if (e.type !== 'run' || e.run.owner !== me) return;
    const r = e.run;
    latest.set(r.id, r);
    dirty = true;
    if (status.get(r.id) === r.status) return;
    status.set(r.id, r.status);
    if (r.status === 'queued') return;
    let line = `${describeRun(r)}: ${r.status}`;
    if (r.status === 'done') {
      const seconds = r.startedAt && r.finishedAt ? (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000 : NaN;
      line += `, iterations 0..${r.lastIteration}${Number.isFinite(seconds) ? ` in ${seconds.toFixed(1)} s` : ''}`;
    } else if (r.error) {
      line += `: ${r.error}`;
    }
    ctx.io.stderr(`${line}\n`);
  });
  const timer = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    const runs = [...latest.values()];
    const running = runs.filter((r) => r.status === 'running');
    if (!running.length) return;
    const finished = runs.filter((r) => r.status !== 'running' && r.status !== 'queued').length;
    const queued = runs.filter((r) => r.status === 'queued').length;
    const each = running.map((r) => `run ${r.id} ${Math.max(0, r.lastIteration)}/${r.iterations}`).join(', ');
    ctx.io.stderr(`progress: ${finished} finished, ${running.length} running (${each}), ${queued} queued\n`);
  }, ctx.progressMs ?? 2000);
  timer.unref();
  return () => {
    off();
    clearInterval(timer);
  };
}

/** Waits for the service to go idle and prints the summary; 0 when every run is done, else 1. */
async function runToCompletion(service: LabService, runIds: readonly number[], ctx: LabCliContext): Promise<number> {
  await service.whenIdle();
  const wanted = new Set(runIds);
  const runs = (await service.listRuns({})).filter((r) => wanted.has(r.id));
  const bad = runs.filter((r) => r.status !== 'done');
  const done = runs.length - bad.length;
  if (!bad.length) {
    ctx.io.stderr(`all ${runs.length} run(s) done\n`);
    return 0;
  }
  ctx.io.stderr(`${done} of ${runs.length} run(s) done; not done:\n`);
  for (const r of bad) ctx.io.stderr(`  ${describeRun(r)}: ${r.status}${r.error ? `: ${r.error}` : ''}\n`);
  return 1;
}

async function withService<T>(ctx: LabCliContext, db: string, workers: number | undefined, mustExist: boolean, body: (s: LabService) => Promise<T>): Promise<T> {
  // The CLI claims only the runs it queued (run) or adopted (resume), never another process's queue.
  const opts: LabServiceOptions = { dbPath: db, mustExist, workers, workerFile: ctx.workerFile(), appVersion: ctx.appVersion, kind: 'cli', claim: 'own' };
  const service = new LabService(opts);
  await service.start();
  ctx.onService?.(service);
  const stop = reportProgress(service, ctx);
  try {
    return await body(service);
  } finally {
    stop();
    ctx.onService?.(null);
    await service.close();
  }
}

/** Reads and validates a setup file; throws CliExit(2) with one line per problem. */
function readSetupFile(file: string, io: CliIo): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    io.stderr(`cannot read setup file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    throw new CliExit(2);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    io.stderr(`${file}: not valid JSON (${(e as Error).message})\n`);
    throw new CliExit(2);
  }
  inlineCsvFile(json, file, io);
  try {
    json = resolveCsvClouds(json, file);
  } catch (e) {
    if (!(e instanceof CsvReferenceError)) throw e;
    io.stderr(`${e.message}\n`);
    throw new CliExit(2);
  }
  const parsed = parseSetup(json);
  if (!parsed.ok) {
    for (const issue of parsed.issues) io.stderr(`${formatIssue(issue)}\n`);
    throw new CliExit(2);
  }
  return json;
}

/** problem.data = {kind: 'csv', file: 'rows.csv'} (relative to the setup file): the file's text goes into the setup as `text`. */
function inlineCsvFile(json: unknown, setupFile: string, io: CliIo): void {
  const data = (json as { problem?: { data?: Record<string, unknown> } } | null)?.problem?.data;
  if (!data || data.kind !== 'csv' || typeof data.file !== 'string') return;
  const csv = path.resolve(path.dirname(setupFile), data.file);
  try {
    data.text = readFileSync(csv, 'utf8');
  } catch (e) {
    io.stderr(`problem.data.file: cannot read ${csv}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    throw new CliExit(2);
  }
  delete data.file;
}

/** Ends a command with an exit code after its message was printed. */
export class CliExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

export async function runCommand(args: readonly string[], ctx: LabCliContext): Promise<number> {
  const p = parseArgs(args, ['db', 'workers', 'preset', 'shard']);
  const preset = p.options.get('preset');
  expectPositional(p, preset === undefined ? 1 : 0, 'the setup file (wgflab run <setup.json> --db <file.sqlite>, or --preset <id>)');
  const db = requireOption(p, 'db');
  const workers = workersOption(p);
  let shard: Shard | undefined;
  try {
    shard = p.options.has('shard') ? parseShard(p.options.get('shard')!, process.env.SLURM_ARRAY_TASK_ID) : undefined;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  // Validate before touching the database: an invalid setup writes nothing (the file is not even created).
  let setup: unknown;
  try {
    setup = preset === undefined ? readSetupFile(p.positional[0], ctx.io) : presetById(preset).setup;
  } catch (e) {
    if (e instanceof UnknownPresetError) throw new UsageError(e.message);
    throw e;
  }
  // The desktop app's default database folder may not exist yet: `run` creates it (an explicit --db must name an existing folder).
  if (!p.options.has('db')) mkdirSync(path.dirname(db), { recursive: true });
  return withService(ctx, db, workers, false, async (service) => {
    const saved = await service.saveSetup({ setup });
    const { runCount, warnings } = await service.validateSetup({ setup });
    for (const w of warnings) ctx.io.stderr(`warning: ${formatIssue(w)}\n`);
    const mine = shard ? (shard.index <= runCount ? Math.floor((runCount - shard.index) / shard.count) + 1 : 0) : runCount;
    const part = shard ? ` of ${runCount} (part ${shard.index} of ${shard.count})` : '';
    ctx.io.stderr(`setup ${saved.id} "${saved.name}" saved in ${db}; queueing ${mine}${part} run(s) on ${service.workers} worker(s)\n`);
    const { runIds } = await service.queueSetup({ setupId: saved.id, ...(shard ? { shard } : {}) });
    return runToCompletion(service, runIds, ctx);
  });
}

/**
 * Runs whose process stopped renewing its heartbeat (killed, a zombie, a reused pid) become 'interrupted' once
 * its lease runs out: wait for that, so that resume picks them up. Live owners (fresh heartbeats) keep theirs.
 */
async function waitForStalledOwners(service: LabService, ctx: LabCliContext): Promise<void> {
  let said = false;
  for (;;) {
    service.tick();
    const stalled = service.ownership.stalledOwners();
    if (!stalled.length) return;
    if (!said) {
      said = true;
      for (const s of stalled) {
        const wait = Math.max(0, s.decidedAt - Date.now());
        ctx.io.stderr(`${s.running} run(s) are running under ${s.label}, silent for ${(s.silentMs / 1000).toFixed(1)} s; waiting up to ${(wait / 1000).toFixed(1)} s for its lease to run out\n`);
      }
    }
    await new Promise((r) => setTimeout(r, Math.min(250, service.ownership.heartbeatMs)));
  }
}

export async function resumeCommand(args: readonly string[], ctx: LabCliContext): Promise<number> {
  const p = parseArgs(args, ['db', 'workers', 'setup']);
  expectPositional(p, 0, '');
  const db = requireOption(p, 'db');
  const workers = workersOption(p);
  const setupOpt = p.options.get('setup');
  if (setupOpt !== undefined && !/^[1-9]\d*$/.test(setupOpt)) throw new UsageError(`--setup must be a setup id (a whole number >= 1), got "${setupOpt}"`);
  const setupId = setupOpt === undefined ? null : Number(setupOpt);
  return withService(ctx, db, workers, true, async (service) => {
    if (setupId !== null && !service.database.getSetup(setupId)) {
      ctx.io.stderr(`wgflab resume: setup ${setupId} does not exist in ${db}\n`);
      return 1;
    }
    await waitForStalledOwners(service, ctx);
    // Queued runs join this process's queue; interrupted ones are queued again from iteration 0. Runs another
    // live process is running stay its own.
    const { queued, interrupted: resumed } = service.adoptForResume(setupId);
    const runIds = [...new Set([...queued, ...resumed])].sort((a, b) => a - b);
    if (!runIds.length) {
      ctx.io.stderr('nothing to resume: no queued or interrupted runs\n');
      return 0;
    }
    ctx.io.stderr(`resuming ${runIds.length} run(s): ${queued.length} queued, ${resumed.length} interrupted (restarted from iteration 0)\n`);
    return runToCompletion(service, runIds, ctx);
  });
}

const csvField = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
/** Shortest round-trip formatting (the same as JSON numbers). */
const num = (v: number): string => JSON.stringify(v);

function exportRunJson(db: LabDatabase, r: RunRow, setupNames: Map<number, string>, withSnapshots: boolean): string {
  const names = r.metric_names_json ? (JSON.parse(r.metric_names_json) as string[]) : [];
  const parts: string[] = [];
  for (const name of names) {
    const s = db.readSeries(r.id, name);
    const pairs = s.iterations.map((it, i) => `[${it},${num(s.values[i])}]`);
    parts.push(`${JSON.stringify(name)}:[${pairs.join(',')}]`);
  }
  const head = {
    id: r.id,
    name: r.name,
    label: r.label,
    setup: r.setup_id === null ? null : (setupNames.get(r.setup_id) ?? null),
    setup_id: r.setup_id,
    status: r.status,
    seed: r.seed,
    iterations: r.iterations,
    last_iteration: r.last_iteration,
    error: r.error,
    sweep: JSON.parse(r.sweep_json) as unknown,
    spec: JSON.parse(r.spec_json) as unknown,
  };
  const snapshots = withSnapshots ? `,${snapshotsJson(db, r.id)}` : '';
  return `${JSON.stringify(head).slice(0, -1)},"metrics":{${parts.join(',')}}${snapshots}}`;
}

function exportRunCsv(db: LabDatabase, r: RunRow, out: (s: string) => void): void {
  const names = r.metric_names_json ? (JSON.parse(r.metric_names_json) as string[]) : [];
  const series = names.map((n) => db.readSeries(r.id, n));
  const quoted = names.map(csvField);
  const rows = series.length ? Math.max(...series.map((s) => s.iterations.length)) : 0;
  const chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < names.length; j++) {
      const s = series[j];
      if (i >= s.iterations.length) continue;
      chunk.push(`${r.id},${s.iterations[i]},${quoted[j]},${num(s.values[i])},${num(s.wallMs[i])}\n`);
    }
    if (chunk.length >= 4096) {
      out(chunk.join(''));
      chunk.length = 0;
    }
  }
  if (chunk.length) out(chunk.join(''));
}

export async function exportCommand(args: readonly string[], ctx: LabCliContext): Promise<number> {
  const p = parseArgs(args, ['db', 'format'], ['snapshots']);
  expectPositional(p, 0, '');
  const file = requireOption(p, 'db');
  const format = requireOption(p, 'format');
  if (format !== 'json' && format !== 'csv') throw new UsageError(`--format must be json or csv, got "${format}"`);
  const withSnapshots = p.options.has('snapshots');
  if (withSnapshots && format !== 'json') throw new UsageError('--snapshots needs --format json (CSV holds metric rows only)');
  const db = openLabDatabase(file, { mustExist: true });
  try {
    const setupNames = new Map(db.listSetups().map((s) => [s.id, s.name]));
    const runs = db.listRuns();
    const out = ctx.io.stdout;
    if (format === 'json') {
      out('{"runs": [');
      runs.forEach((r, i) => out(`${i ? ',' : ''}\n${exportRunJson(db, r, setupNames, withSnapshots)}`));
      out(runs.length ? '\n]}\n' : ']}\n');
    } else {
      out('run_id,iteration,metric,value,wall_ms\n');
      for (const r of runs) exportRunCsv(db, r, out);
    }
    return 0;
  } finally {
    db.close();
  }
}

/** Dispatches run / resume / export; usage errors print the message and the usage text and return 2. */
export async function runLabCommand(command: string, args: readonly string[], ctx: LabCliContext): Promise<number> {
  try {
    switch (command) {
      case 'run':
        return await runCommand(args, ctx);
      case 'resume':
        return await resumeCommand(args, ctx);
      case 'export':
        return await exportCommand(args, ctx);
      case 'presets':
        return presetsCommand(args, ctx.io);
      case 'merge':
        return await mergeCommand(args, ctx.io);
      case 'slurm':
        return slurmCommand(args, ctx.io);
      case 'figure':
        return await figureCommand(args, ctx.io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof CliExit) return e.code;
    // The path given as --db cannot be used: the message names it and says what to do.
    if (isDatabaseFileError(e)) {
      ctx.io.stderr(`wgflab ${command}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      ctx.io.stderr(`wgflab ${command}: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof LabError) {
      ctx.io.stderr(`wgflab ${command}: ${e.message}\n`);
      return e.code === 'invalid' ? 2 : 1;
    }
    ctx.io.stderr(`wgflab ${command}: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}
