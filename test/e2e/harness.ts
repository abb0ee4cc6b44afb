// Shared by the browser tests and the Compare benchmark: the real browser-mode server (dist/node/serve.mjs on a
// temp SQLite file) and a headless Chromium with a fresh profile.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { openLabDatabase } from '../../db/lab-db';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface LabServer {
  /** Page URL with the token. */
  readonly url: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly dir: string;
  readonly dbPath: string;
  readonly stderr: () => string;
  /** The server process. */
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Asks the server to stop (SIGTERM), waits for its exit code. The folder stays (a second server may reuse it). */
  stop(): Promise<number | null>;
  /** Stops the server and removes its temp folder (database). */
  dispose(): Promise<void>;
}

/** Walks up from here to the folder holding dist/node/serve.mjs (works from test/e2e and from dist/node). */
export function findServeScript(from = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'dist', 'node', 'serve.mjs');
    if (existsSync(candidate)) return candidate;
    if (path.basename(dir) === 'node' && existsSync(path.join(dir, 'serve.mjs'))) return path.join(dir, 'serve.mjs');
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('dist/node/serve.mjs not found; build first with "node scripts/build.mjs"');
    dir = parent;
  }
}

export async function startServer(opts: { workers?: number; dir?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<LabServer> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'wgf-e2e-'));
  const dbPath = path.join(dir, 'lab.sqlite');
  // serve refuses a --db that does not exist (only `wgflab run` creates one): create an empty lab database.
  if (!existsSync(dbPath)) openLabDatabase(dbPath).close();
  const args = [findServeScript(), '--db', dbPath, '--port', '0'];
  if (opts.workers) args.push('--workers', String(opts.workers));
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A crashed test or benchmark must not leave the server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not print its URL within ${opts.timeoutMs ?? 20_000} ms; stderr:\n${err}`)), opts.timeoutMs ?? 20_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /(http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first stdout line: ${line}`));
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before printing its URL; stderr:\n${err}`)));
  });
  const u = new URL(url);
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    return code;
  };
  return {
    url,
    origin: u.origin,
    port: Number(u.port),
    token: u.searchParams.get('token') ?? '',
    dir,
    dbPath,
    stderr: () => err,
    pid: child.pid ?? 0,
    exited,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestBrowser {
  readonly browser: Browser;
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a new, empty user data dir. */
export async function launchChromium(viewport = { width: 1440, height: 900 }): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'wgf-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, viewport, headless: true });
  return {
    browser: context.browser() as Browser,
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Calls the API as the page would (for setup steps that are not under test). */
export async function api<T>(server: LabServer, method: string, input: unknown = {}): Promise<T> {
  const res = await fetch(`${server.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as T & { error?: { message: string } };
  if (!res.ok) throw new Error(`${method}: ${res.status} ${body.error?.message}`);
  return body;
}

/** test-artifacts/ at the project root (from test/e2e and from dist/node alike). */
export const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');
