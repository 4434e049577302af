import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // The one-file project that global-setup.test.ts runs is data, not a suite of this package.
    exclude: [...configDefaults.exclude, "test/fixtures/**"],
    globalSetup: ["./src/global-setup.ts"],
  },
});
