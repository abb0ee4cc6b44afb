import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Worker-pool and browser tests start processes of their own; two cores are shared.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
