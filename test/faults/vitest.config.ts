import path from 'node:path';
import { defineConfig } from 'vitest/config';

// The fault suite (npm run test:faults): kill -9, full disks, slow clients, fuzzing, services stopped. Its files are
// *.fault.ts so the default run (vitest.config.ts) never picks them up. One file at a time: they time what a server
// does under load, and two of them at once on two cores would measure each other.
export default defineConfig({
  // The repository, wherever this file is run from (paths below are relative to it).
  root: path.resolve(import.meta.dirname, '../..'),
  test: {
    include: ['test/faults/**/*.fault.ts'],
    reporters: ['default', './test/support/summary-reporter.ts', './test/faults/figures-reporter.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
