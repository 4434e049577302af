import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // CLI tests spawn many node processes; a busy shared machine makes each take seconds
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // One temporary folder per run, removed at the end (see packages/test-utils/src/global-setup.ts).
    globalSetup: ["../../packages/test-utils/src/global-setup.ts"],
  },
});
