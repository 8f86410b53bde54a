import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const requireHere = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module) files. Node, and so type-graphql, loads the
    // CommonJS one; Vite would give our files the other, and two copies of graphql's classes break
    // `instanceof` (a custom scalar is not recognised). Make both sides load the same file.
    alias: [
      { find: /^graphql$/, replacement: requireHere.resolve('graphql') },
      // A kind's own import, to the source as tsconfig.json's `paths` says.
      { find: /^task-service$/, replacement: fileURLToPath(new URL('./core/task-definition.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Tests wait on real timers and sockets more than on the CPU: a few files at once fit 2 cores.
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
  },
});
