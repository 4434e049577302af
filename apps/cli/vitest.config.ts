import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Integration tests spawn the CLI and load cluster.ts through jiti; a shared 2-core machine needs headroom.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Tests copy clusters into .tmp-*/; those copies are data, not suites.
    exclude: [...configDefaults.exclude, "**/.tmp-*/**", "**/dist/**"],
    // One temporary folder per run, removed at the end (see packages/test-utils/src/global-setup.ts).
    globalSetup: ["../../packages/test-utils/src/global-setup.ts"],
  },
});
