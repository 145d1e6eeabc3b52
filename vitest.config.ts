import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{common,infra,api,cdc,search,hub,sdk,terminals}/src/**/*.test.ts'],
    globalSetup: ['infra/src/testing/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
