// A monotonic millisecond clock without Node or DOM imports (src/ is runtime-neutral).
const perf = (globalThis as unknown as { performance?: { now(): number } }).performance;

export const nowMs: () => number = perf ? () => perf.now() : () => Date.now();
