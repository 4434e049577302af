// Vitest settings for Stryker runs (scripts/mutation.mjs): unit and property tests only — the integration
// suites (real etcd clusters, CLI round trips) take too long to repeat per mutant on a 2-core machine.
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    exclude: [...configDefaults.exclude, "**/*.int.test.ts", "**/cli.test.ts", "**/.tmp-*/**", "**/.stryker-tmp/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
