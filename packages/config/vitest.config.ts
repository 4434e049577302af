import { defineConfig } from "vitest/config";

// Generous timeouts: integration tests run real tools on a shared 2-core CI machine.
export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // One temporary folder per run, removed at the end (see packages/test-utils/src/global-setup.ts).
    globalSetup: ["../../packages/test-utils/src/global-setup.ts"],
  },
});
