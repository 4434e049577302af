import { defineConfig } from "vitest/config";

// Generous timeouts: integration tests run real tools (kubectl kustomize on every Flux path) on a shared
// 2-core machine; under a load of 20 one kustomize pass took over a minute.
export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // One temporary folder per run, removed at the end (see packages/test-utils/src/global-setup.ts).
    globalSetup: ["../../packages/test-utils/src/global-setup.ts"],
  },
});
