// `npm run --silent wgflab -- <command>`: the lab's command line (bundled to dist/node/wgflab.mjs).
//   run <setup.json> --db <file.sqlite> [--workers N]   queue a setup's runs and run them (exit 0 when all are done)
//   resume --db <file.sqlite> [--workers N]             run every queued or interrupted run
//   export --db <file.sqlite> --format json|csv         print every run and its metric series
//   ot <method> <case.json>                             optimal transport toolbox
// Exit codes: 0 ok, 1 some run not done / operational error, 2 invalid input, usage or an unusable --db path,
// 130 interrupted (SIGINT/SIGTERM), 141 stdout or stderr closed while runs were running (they become interrupted).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findWorkerFile } from '../paths';
import type { LabService } from '../lab-service';
import { runLabCommand, USAGE, type CliIo } from './lab-commands';
import { runOtCommand } from './ot';
import { exitWithParent } from '../parent-watch';

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

/** Set once stdout or stderr is closed (EPIPE): nothing more is written to either. */
let pipeClosed = false;
const io: CliIo = {
  stdout: (s) => void (pipeClosed || process.stdout.write(s)),
  stderr: (s) => void (pipeClosed || process.stderr.write(s)),
};

let active: LabService | null = null;
let interrupted = false;
/** Stops like Ctrl-C: the service closes, so its running runs become "interrupted" (resumable), then exit. */
const stop = (why: string, code: number) => {
  if (interrupted) return;
  interrupted = true;
  io.stderr(`\n${why}: stopping; running runs become "interrupted" (continue them with "wgflab resume --db ...")\n`);
  const service = active;
  void (service ? service.close() : Promise.resolve()).finally(() => process.exit(code));
};
process.on('SIGINT', () => stop('SIGINT', 130));
process.on('SIGTERM', () => stop('SIGTERM', 130));
process.on('SIGHUP', () => stop('SIGHUP', 129));
// A closed pipe ("wgflab run ... 2>&1 | head -3", "export ... | head") must not crash the command: stop
// writing, and end cleanly. A command that runs work stops it as on a signal (exit 141, as for SIGPIPE);
// export just ends.
const onStreamError = (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  pipeClosed = true;
  if (active) stop('output closed', 141);
  else if (!interrupted) process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
};
process.stdout.on('error', onStreamError);
process.stderr.on('error', onStreamError);
// Under `npm run wgflab`, a SIGTERM to npm kills the shell npm started, not this process: follow the parent.
exitWithParent(() => stop('the npm process that started this command is gone', 130));

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
