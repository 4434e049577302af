import { defineConfig } from "tsup";

// Every command is its own entry so `kubeforge --help` loads only the entry and the command table.
export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts", "src/commands/*.ts", "!src/**/*.test.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  clean: true,
  splitting: true,
  target: "node20",
  sourcemap: true,
});
