import { defineConfig } from 'vitest/config';

/** One runner for every tier: unit (no network), integration (DynamoDB Local), e2e (the local stack). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'local/test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
