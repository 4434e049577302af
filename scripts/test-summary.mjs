// Prints one closing line over every package's vitest JSON report: "Tests: N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
let passed = 0;
let failed = 0;
let skipped = 0;
for (const group of ["packages", "apps", "clusters"]) {
  const folder = path.join(root, group);
  if (!existsSync(folder)) continue;
  for (const name of readdirSync(folder)) {
    const report = path.join(folder, name, ".test-results.json");
    if (!existsSync(report)) continue;
    const json = JSON.parse(readFileSync(report, "utf8"));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    skipped += json.numPendingTests + json.numTodoTests;
  }
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
