// `npm run <script>` starts `sh -c "build && node dist/node/x.mjs"`; on SIGTERM npm signals the shell only,
// which dies and leaves this node process running, re-parented. Under npm (npm_lifecycle_event is set), a
// change of the parent pid therefore means "stop". Outside npm (nohup, a service manager) nothing is watched.
export function exitWithParent(onGone: () => void, env: NodeJS.ProcessEnv = process.env, periodMs = 250): void {
  if (!env.npm_lifecycle_event || process.platform === 'win32') return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, periodMs);
  timer.unref();
}
