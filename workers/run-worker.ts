// Piscina worker entry: one task = one run. Validates the spec, drives the simulation, posts its metric
// definitions, then metric batches and snapshots with their buffers transferred (not copied), and returns the outcome. Cancellation is Piscina's abort
// signal, which terminates this thread; an exception rejects the task (the run becomes "failed").
import { parseRunSpec } from '../src/setup/schema';
import { formatIssue } from '../src/setup/issues';
import { createSimulation } from '../src/engine/registry';
import { driveSimulation } from '../src/engine/run';
import type { RunTask, RunTaskResult, RunWorkerMessage } from './protocol';
import { encodeSnapshot } from './snapshot-codec';

export default async function runTask(task: RunTask): Promise<RunTaskResult> {
  const { port } = task;
  try {
    const parsed = parseRunSpec(task.spec);
    if (!parsed.ok) throw new Error(`run ${task.runId} has an invalid spec: ${parsed.issues.map(formatIssue).join('; ')}`);
    const spec = parsed.value;
    const sim = createSimulation(spec);
    const { acks } = task;
    const maxUnacked = Math.max(1, task.maxUnacked ?? 4);
    let posted = 0;
    let waitedMs = 0;
    const defs = sim.metricDefs ?? sim.metricNames.map((name) => ({ name, label: name, log: false, cadence: 'step' as const }));
    port.postMessage({ type: 'meta', metrics: defs, references: sim.references ?? [] } satisfies RunWorkerMessage);
    /** Flow control: wait while maxUnacked posted messages are not stored yet. */
    const waitForRoom = () => {
      if (!acks) return;
      for (let seen = Atomics.load(acks, 0); posted - seen >= maxUnacked; seen = Atomics.load(acks, 0)) {
        const t0 = performance.now();
        // Bounded waits: an abort (thread termination) takes effect between them.
        Atomics.wait(acks, 0, seen, 50);
        waitedMs += performance.now() - t0;
      }
    };
    const outcome = driveSimulation(sim, {
      iterations: spec.iterations,
      metricsEvery: spec.metrics_every,
      divergenceFactor: spec.divergence_factor,
      snapshotEvery: spec.snapshots?.every,
      onSnapshot: (s) => {
        waitForRoom();
        const e = encodeSnapshot(s);
        const msg: RunWorkerMessage = { type: 'snapshot', iteration: e.iteration, kind: e.kind, meta: e.meta, data: e.data };
        port.postMessage(msg, e.data ? [e.data.buffer as ArrayBuffer] : []);
        posted++;
      },
      batchRows: task.batchRows,
      batchMs: task.batchMs,
      // Wall time of the run itself: time blocked on flow control is not the scheme's.
      clock: () => performance.now() - waitedMs,
      onBatch: (b) => {
        waitForRoom();
        const msg: RunWorkerMessage = { type: 'batch', names: b.names, iterations: b.iterations, wallMs: b.wallMs, values: b.values };
        port.postMessage(msg, [b.iterations.buffer as ArrayBuffer, b.wallMs.buffer as ArrayBuffer, b.values.buffer as ArrayBuffer]);
        posted++;
      },
    });
    if (outcome.status === 'cancelled') throw new Error('the run stopped without being cancelled');
    return { status: outcome.status, lastIteration: outcome.lastIteration, ...(outcome.message ? { message: outcome.message } : {}) };
  } finally {
    const end: RunWorkerMessage = { type: 'end' };
    // The main thread closes the channel once it has read "end" (closing here could drop queued batches).
    port.postMessage(end);
  }
}
