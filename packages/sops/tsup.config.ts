import { defineConfig } from "tsup";

export default defineConfig({
  // decrypt-worker: a thread of the batch decrypt, loaded by URL from beside the chunks
  entry: ["src/index.ts", "src/cli.ts", "src/decrypt-worker.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  clean: true,
  target: "node20",
  sourcemap: true,
});
