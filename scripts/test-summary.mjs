// Prints one closing line over every package's vitest JSON report: "Tests: N passed, N failed, N skipped".
// Honest by construction: `--clean` deletes every report before the run (turbo restores a cached one
// only on a true cache hit), and afterwards a missing or unreadable report of a package with a `test`
// script, a suite that failed without a failing test (an import error), `success: false` or a failed
// run (`--exit <code>`: biome, lint, validate) is printed and makes the exit code non-zero.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const REPORT = ".test-results.json";
const GROUPS = ["packages", "apps", "clusters"];

/** Every workspace package folder (relative to root) with a `test` script. */
export function listTestedPackages(root) {
  const found = [];
  for (const group of GROUPS) {
    const folder = path.join(root, group);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).sort()) {
      const manifest = path.join(folder, name, "package.json");
      if (!existsSync(manifest)) continue;
      const scripts = JSON.parse(readFileSync(manifest, "utf8")).scripts ?? {};
      if (typeof scripts.test === "string") found.push(path.join(group, name));
    }
  }
  return found;
}

/** Deletes every package's report so nothing from an earlier run can be summed. */
export function removeReports(root) {
  for (const group of GROUPS) {
    const folder = path.join(root, group);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) rmSync(path.join(folder, name, REPORT), { force: true });
  }
}

function firstLine(text) {
  return String(text ?? "")
    .split("\n")
    .find((line) => line.trim() !== "")
    ?.trim();
}

/** Counts and problems of one package's parsed report. */
export function readReport(name, json) {
  const problems = [];
  let failed = Number(json.numFailedTests ?? 0);
  for (const suite of json.testResults ?? []) {
    if (suite.status !== "failed") continue;
    const failures = (suite.assertionResults ?? []).filter((test) => test.status === "failed");
    const file = path.relative(process.cwd(), suite.name ?? "?");
    if (failures.length === 0) {
      // A suite that failed at import (or in a hook) has no failing test of its own: count it as one.
      failed += 1;
      problems.push(`${name}: suite ${file} failed: ${firstLine(suite.message) ?? "no message"}`);
    }
    for (const test of failures)
      problems.push(`${name}: ${file} › ${test.fullName ?? test.title}: ${firstLine(test.failureMessages?.[0]) ?? ""}`);
  }
  if (json.success === false && problems.length === 0) {
    failed += failed === 0 ? 1 : 0;
    problems.push(`${name}: vitest reported success: false (e.g. an obsolete snapshot or an unhandled error)`);
  }
  if (Number(json.numTotalTests ?? 0) === 0 && problems.length === 0) {
    failed += 1;
    problems.push(`${name}: the report has no tests — did every suite fail to load?`);
  }
  return {
    passed: Number(json.numPassedTests ?? 0),
    failed,
    skipped: Number(json.numPendingTests ?? 0) + Number(json.numTodoTests ?? 0),
    problems,
  };
}

/** Sums every tested package's report under `root`; a missing report is a failure, never a zero. */
export function summarize(root, { runExit = 0 } = {}) {
  const total = { passed: 0, failed: 0, skipped: 0, problems: [] };
  for (const name of listTestedPackages(root)) {
    const file = path.join(root, name, REPORT);
    let result;
    if (!existsSync(file)) {
      result = {
        passed: 0,
        failed: 1,
        skipped: 0,
        problems: [`${name}: no ${REPORT} — its test task did not run or crashed before reporting`],
      };
    } else {
      try {
        result = readReport(name, JSON.parse(readFileSync(file, "utf8")));
      } catch (error) {
        result = { passed: 0, failed: 1, skipped: 0, problems: [`${name}: ${REPORT} is unreadable: ${error.message}`] };
      }
    }
    total.passed += result.passed;
    total.failed += result.failed;
    total.skipped += result.skipped;
    total.problems.push(...result.problems);
  }
  if (runExit !== 0)
    total.problems.push(`the run exited with ${runExit}: biome, lint, build, test or validate failed (see above)`);
  const ok = total.problems.length === 0 && total.failed === 0 && total.passed > 0;
  return { ...total, ok, line: `Tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped` };
}

function main(argv) {
  const root = path.resolve(import.meta.dirname, "..");
  if (argv.includes("--clean")) {
    removeReports(root);
    return 0;
  }
  const at = argv.indexOf("--exit");
  const runExit = at === -1 ? 0 : Number(argv[at + 1] ?? 1) || 0;
  const summary = summarize(root, { runExit });
  for (const problem of summary.problems) console.error(`✗ ${problem}`);
  console.log(summary.line);
  return summary.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = main(process.argv.slice(2));
