import { defineConfig } from "vitest/config";

// Generous timeouts: integration tests run real tools on a shared 2-core CI machine.
export default defineConfig({ test: { testTimeout: 300_000, hookTimeout: 300_000 } });
