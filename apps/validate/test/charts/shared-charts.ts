// The real chart data of ../shared/conformance/charts, read in place (never copied into the project).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type ChartFiles, chartFromFiles } from "../../src/charts/chart-files.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const SHARED_CHARTS = path.resolve(repoRoot, "../shared/conformance/charts");

/** Every file under `dir`, keyed by its path relative to `dir` with `/` separators. */
export function readFolder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const visit = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) visit(full);
      else files.set(path.relative(dir, full).split(path.sep).join("/"), readFileSync(full));
    }
  };
  visit(dir);
  return files;
}

export function sharedChart(name: string, version: string): ChartFiles {
  return chartFromFiles(readFolder(path.join(SHARED_CHARTS, name, version)));
}
