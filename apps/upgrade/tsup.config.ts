import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts", "src/cli-options.ts"],
  format: ["esm"],
  dts: { entry: ["src/index.ts", "src/cli-options.ts"] },
  clean: true,
  target: "node20",
  sourcemap: true,
});
