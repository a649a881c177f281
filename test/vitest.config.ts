import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // End-to-end tests spawn the built CLI and build real trees: give them room on a 2-core CI box.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
