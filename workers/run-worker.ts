// Piscina worker entry: one task = one run. Validates the spec, drives the simulation, posts metric batches
// with their buffers transferred (not copied), and returns the outcome. Cancellation is Piscina's abort
// signal, which terminates this thread; an exception rejects the task (the run becomes "failed").
import { parseRunSpec } from '../src/setup/schema';
import { formatIssue } from '../src/setup/issues';
import { createSimulation } from '../src/engine/registry';
import { driveSimulation } from '../src/engine/run';
import type { RunTask, RunTaskResult, RunWorkerMessage } from './protocol';

export default async function runTask(task: RunTask): Promise<RunTaskResult> {
  const { port } = task;
  try {
    const parsed = parseRunSpec(task.spec);
    if (!parsed.ok) throw new Error(`run ${task.runId} has an invalid spec: ${parsed.issues.map(formatIssue).join('; ')}`);
    const sim = createSimulation(parsed.value);
    const outcome = driveSimulation(sim, {
      iterations: parsed.value.iterations,
      batchRows: task.batchRows,
      batchMs: task.batchMs,
      onBatch: (b) => {
        const msg: RunWorkerMessage = { type: 'batch', names: b.names, iterations: b.iterations, wallMs: b.wallMs, values: b.values };
        port.postMessage(msg, [b.iterations.buffer as ArrayBuffer, b.wallMs.buffer as ArrayBuffer, b.values.buffer as ArrayBuffer]);
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
