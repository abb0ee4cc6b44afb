// Forwards LabEvents to the window in batches: events arriving within `intervalMs` travel as one IPC message
// (an array, in order), so a dozen parallel runs posting metric batches do not flood the renderer. Within a batch
// superseded "run" events and repeated "setups" events are dropped (each carries the full current state); metrics
// events are never dropped or merged. No `electron` import: main.ts supplies `send`.
import type { LabEvent } from '../../src/api';

export interface EventForwarder {
  push(event: LabEvent): void;
  /** Sends whatever is pending now. */
  flush(): void;
  /** Flushes, then drops every later event. */
  close(): void;
}

export interface EventForwarderOptions {
  /** Longest time an event waits before it is sent (default 50 ms). */
  readonly intervalMs?: number;
  /** A batch is sent at once when it reaches this many events (default 1000). */
  readonly maxBatch?: number;
}

/**
 * Drops superseded events, keeping order: a "run" event is dropped when a later "run" event of the same run follows
 * with no metrics event of that run in between (so a renderer never sees metrics before the run state that
 * preceded them), and only the last "setups" event is kept.
 */
export function coalesceEvents(events: readonly LabEvent[]): LabEvent[] {
  // Scanning backwards: run ids whose later "run" event is kept with no metrics of that run after this point.
  const superseding = new Set<number>();
  let seenSetups = false;
  const out: LabEvent[] = [];
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'run') {
      if (superseding.has(e.run.id)) continue;
      superseding.add(e.run.id);
    } else if (e.type === 'metrics') {
      superseding.delete(e.runId);
    } else {
      if (seenSetups) continue;
      seenSetups = true;
    }
    out.push(e);
  }
  return out.reverse();
}

export function createEventForwarder(send: (batch: LabEvent[]) => void, options: EventForwarderOptions = {}): EventForwarder {
  const intervalMs = options.intervalMs ?? 50;
  const maxBatch = options.maxBatch ?? 1000;
  let pending: LabEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const batch = coalesceEvents(pending);
    pending = [];
    send(batch);
  };

  return {
    push(event) {
      if (closed) return;
      pending.push(event);
      if (pending.length >= maxBatch) flush();
      else if (timer === undefined) timer = setTimeout(flush, intervalMs);
    },
    flush,
    close() {
      flush();
      closed = true;
    },
  };
}
