import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/write-schema.ts"],
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  clean: true,
  target: "node20",
  sourcemap: true,
});
