// `npm run --silent wgflab -- <command>`: the lab's command line (bundled to dist/node/wgflab.mjs).
//   run <setup.json> --db <file.sqlite> [--workers N]   queue a setup's runs and run them (exit 0 when all are done)
//   resume --db <file.sqlite> [--workers N]             run every queued or interrupted run
//   export --db <file.sqlite> --format json|csv         print every run and its metric series
//   ot <method> <case.json>                             optimal transport toolbox
// Exit codes: 0 ok, 1 some run not done / operational error, 2 invalid input or usage, 130 interrupted.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findWorkerFile } from '../paths';
import type { LabService } from '../lab-service';
import { runLabCommand, USAGE, type CliIo } from './lab-commands';
import { runOtCommand } from './ot';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The version in the package.json found by walking up from this file. */
function appVersion(): string {
  let dir = here;
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.version) return pkg.version;
    } catch {
      // not here
    }
    const parent = path.dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}

const io: CliIo = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

let active: LabService | null = null;
let interrupted = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) return;
  interrupted = true;
  io.stderr(`\n${signal}: stopping; running runs become "interrupted" (continue them with "wgflab resume --db ...")\n`);
  const service = active;
  void (service ? service.close() : Promise.resolve()).finally(() => process.exit(130));
};
process.on('SIGINT', onSignal);
// A closed pipe (e.g. "export ... | head") ends the command quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw e;
});
process.on('SIGTERM', onSignal);

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stderr(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === 'ot') return runOtCommand([...args], io);
  return runLabCommand(command, args, {
    io,
    workerFile: () => findWorkerFile(here),
    appVersion: appVersion(),
    onService: (s) => {
      active = s;
    },
  });
}

const code = await main(process.argv.slice(2));
if (!interrupted) {
  process.exitCode = code;
  // Everything is closed by now; if some handle still lingers, do not hang.
  setTimeout(() => process.exit(code), 1000).unref();
}
