// `npm run serve` (dist/node/serve.mjs): the lab in a browser. Starts LabService on a SQLite file and serves the
// renderer + API on 127.0.0.1. Prints exactly one line on stdout (the URL with the access token); logs go to stderr.
//   --db <file>      an existing database file (default: <user data>/wgflab.sqlite, the desktop app's file, created if missing)
//   --port <n>       port on 127.0.0.1 (default 0: a free port)
//   --workers <n>    worker threads for runs (default: the service's choice)
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LabService } from './lab-service';
import { defaultDbPath, findWorkerFile, userDataDir } from './paths';
import { startLabHttpServer } from './http-server';
import { isDatabaseFileError } from '../db/open-errors';
import { exitWithParent } from './parent-watch';
import pkg from '../package.json';

export { userDataDir };

/** stderr was closed (EPIPE): the server goes on, silently. */
let stderrClosed = false;
const log = (line: string) => void (stderrClosed || process.stderr.write(`[wgf-lab serve] ${line}\n`));
const ignoreClosedPipe = (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  stderrClosed = true;
};
process.stdout.on('error', ignoreClosedPipe);
process.stderr.on('error', ignoreClosedPipe);

function fail(message: string, usage = true): never {
  process.stderr.write(`wgf-lab serve: ${message}\n${usage ? 'usage: node dist/node/serve.mjs [--db <file>] [--port <n>] [--workers <n>]\n' : ''}`);
  process.exit(2);
}

function intFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  let values: { db?: string; port?: string; workers?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { db: { type: 'string' }, port: { type: 'string' }, workers: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stderr.write('usage: node dist/node/serve.mjs [--db <file>] [--port <n>] [--workers <n>]\n' +
      `  --db       SQLite file (default: ${defaultDbPath(userDataDir())})\n  --port     port on 127.0.0.1 (default 0: a free port)\n  --workers  runs in parallel (default: the number of CPUs)\n`);
    process.exit(0);
  }
  const port = intFlag('port', values.port, 0, 65535) ?? 0;
  const workers = intFlag('workers', values.workers, 1, 256);
  const here = path.dirname(fileURLToPath(import.meta.url));
  // An explicit --db must exist (only `wgflab run` creates one); the default file in the user-data folder is
  // created like the desktop app does.
  const explicit = values.db !== undefined;
  const dbPath = path.resolve(values.db ?? defaultDbPath(userDataDir()));
  if (!explicit) mkdirSync(path.dirname(dbPath), { recursive: true });
  const service = new LabService({ dbPath, mustExist: explicit, workers, workerFile: findWorkerFile(here), appVersion: pkg.version, kind: 'serve', log });

  // Bind the port first: a port in use must not touch the database (starting the service claims and
  // interrupts runs). Requests cannot arrive before the URL with its token is printed below.
  const server = await startLabHttpServer(service, { port, staticDir: path.resolve(here, '../renderer'), log }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') fail(`port ${port} on 127.0.0.1 is in use; choose another with --port, or --port 0 for a free one (the database was not opened)`, false);
    if (err.code === 'EACCES') fail(`port ${port} on 127.0.0.1 needs privileges; choose a port above 1023, or --port 0 for a free one`, false);
    throw err;
  });
  try {
    await service.start();
  } catch (err) {
    await server.close();
    if (isDatabaseFileError(err)) fail(err.message, false);
    throw err;
  }
  log(`database ${dbPath}`);
  process.stdout.write(`WGF Lab browser mode: ${server.url}\n`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log(`${signal}: closing`);
    const timer = setTimeout(() => {
      log('did not close within 10 s; exiting');
      process.exit(1);
    }, 10_000);
    timer.unref();
    server
      .close()
      .then(() => service.close())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log(`close failed: ${(err as Error)?.stack ?? String(err)}`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));
  // Under `npm run serve`, a SIGTERM to npm kills only the shell between npm and this process.
  exitWithParent(() => shutdown('the npm process that started the server is gone'));
}

main().catch((err: unknown) => {
  process.stderr.write(`wgf-lab serve: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
