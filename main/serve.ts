// `npm run serve` (dist/node/serve.mjs): the lab in a browser. Starts LabService on a SQLite file and serves the
// renderer + API on 127.0.0.1. Prints exactly one line on stdout (the URL with the access token); logs go to stderr.
//   --db <file>      database file (default: <user data>/wgflab.sqlite, the same file the desktop app uses)
//   --port <n>       port on 127.0.0.1 (default 0: a free port)
//   --workers <n>    worker threads for runs (default: the service's choice)
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LabService } from './lab-service';
import { defaultDbPath, findWorkerFile, userDataDir } from './paths';
import { startLabHttpServer } from './http-server';
import pkg from '../package.json';

export { userDataDir };

const log = (line: string) => process.stderr.write(`[wgf-lab serve] ${line}\n`);

function fail(message: string): never {
  process.stderr.write(`wgf-lab serve: ${message}\nusage: node dist/node/serve.mjs [--db <file>] [--port <n>] [--workers <n>]\n`);
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
  const dbPath = path.resolve(values.db ?? defaultDbPath(userDataDir()));
  mkdirSync(path.dirname(dbPath), { recursive: true });

  const service = new LabService({ dbPath, workers, workerFile: findWorkerFile(here), appVersion: pkg.version, kind: 'serve', log });
  await service.start();
  const server = await startLabHttpServer(service, { port, staticDir: path.resolve(here, '../renderer'), log }).catch(async (err: NodeJS.ErrnoException) => {
    await service.close();
    if (err.code === 'EADDRINUSE') fail(`port ${port} on 127.0.0.1 is in use; choose another with --port, or --port 0 for a free one`);
    throw err;
  });
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
}

main().catch((err: unknown) => {
  process.stderr.write(`wgf-lab serve: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
