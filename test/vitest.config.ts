import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // End-to-end tests spawn the built CLI and build real trees: give them room on a 2-core CI box.
    testTimeout: 60_000,
    // Two files at once on the 2-core CI box (vitest's default there is one): most of a test's time
    // is spent waiting on the CLI, setpriv, php-fpm or a race, and two overlap well. Measured on a
    // clean clone: 440 s with one, 331 s with two, every test passing.
    maxWorkers: 2,
    hookTimeout: 120_000,
  },
});
