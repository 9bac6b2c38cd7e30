import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Native sockets and GC checks: each file in its own process, --expose-gc for finaliser tests.
    pool: 'forks',
    execArgv: ['--expose-gc'],
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
