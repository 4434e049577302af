import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The simulator runs real etcd clusters: one file at a time keeps a 2-core machine responsive.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // One temporary folder per run, removed at the end (see packages/test-utils/src/global-setup.ts).
    globalSetup: ["../../packages/test-utils/src/global-setup.ts"],
  },
});
