import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Integration tests run kubectl and load cluster.ts through jiti; a shared 2-core machine needs headroom.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
