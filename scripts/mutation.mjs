// `pnpm mutation [module…]`: Stryker on the safety modules, one module at a time (a shared 2-core machine),
// incremental (reports/stryker-incremental-<module>.json beside each package), then a score per module.
// Not in CI: a full run takes tens of minutes. Target: ≥ 85% of mutants killed in each module.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const stryker = path.join(path.dirname(require.resolve("@stryker-mutator/core/package.json")), "bin", "stryker.js");
const runner = require.resolve("@stryker-mutator/vitest-runner");

/**
 * Where a bug loses data, quorum or secrecy. An entry `{ file, from }` mutates `file` from the first line
 * matching `from` to its end: the decision logic, not the IO adapters above it (inspectEtcd, the
 * Kubernetes client), which only the integration suites with real etcd / a fake API server exercise.
 */
export const MODULES = {
  "config-checks": { dir: "packages/config", mutate: ["src/checks/**/*.ts"] },
  "talos-pki": { dir: "packages/talos", mutate: ["src/secrets/**/*.ts"] },
  "upgrade-gates": {
    dir: "apps/upgrade",
    mutate: [
      { file: "src/gates/etcd.ts", from: /^function describe\(/m },
      { file: "src/gates/nodes.ts", from: /^export function checkNodesReady\(/m },
      "src/gates/gate.ts",
      "src/gates/pods.ts",
      "src/gates/index.ts",
      "src/gates/talos.ts",
      "src/evidence.ts",
      "src/state.ts",
    ],
  },
  // the upgrade lock (cluster Lease + local lock) and resuming after a crash (orphaned talosctl, in-flight node)
  "upgrade-lock": {
    dir: "apps/upgrade",
    mutate: ["src/lock/**/*.ts", "src/resume.ts", "src/orphan.ts"],
  },
  "validate-rules": { dir: "apps/validate", mutate: ["src/rules/**/*.ts"] },
  // the chart check's decisions (values against the chart, versions, digests); not the HTTP and cache IO
  "validate-charts": {
    dir: "apps/validate",
    mutate: [
      "src/charts/check-values.ts",
      "src/charts/check-charts.ts",
      "src/charts/template-refs.ts",
      "src/charts/outdated.ts",
    ],
  },
  sops: {
    dir: "packages/sops",
    mutate: ["src/cipher.ts", "src/mac.ts", "src/shamir.ts", "src/rules.ts", "src/rules-match.ts", "src/walk.ts"],
  },
};

/** Stryker's `file:from-to` for an anchored entry (the whole file when the anchor is gone). */
function resolveMutate(cwd, entry) {
  if (typeof entry === "string") return entry;
  const text = readFileSync(path.join(cwd, entry.file), "utf8");
  const match = entry.from.exec(text);
  if (!match) return entry.file;
  const first = text.slice(0, match.index).split("\n").length;
  const last = text.split("\n").length;
  return `${entry.file}:${first}-${last}`;
}

function configFor(name, module, concurrency) {
  return {
    $schema:
      "https://raw.githubusercontent.com/stryker-mutator/stryker-js/master/packages/core/schema/stryker-schema.json",
    packageManager: "pnpm",
    plugins: [runner],
    testRunner: "vitest",
    // Integration tests (real etcd clusters, CLI round trips) are too slow to run per mutant here.
    vitest: { configFile: path.join(root, "scripts", "vitest.mutation.config.mjs"), related: true },
    mutate: [...module.mutate.map((entry) => resolveMutate(path.join(root, module.dir), entry)), "!**/*.test.ts"],
    coverageAnalysis: "perTest",
    concurrency,
    incremental: true,
    incrementalFile: `reports/stryker-incremental-${name}.json`,
    reporters: ["clear-text", "json"],
    jsonReporter: { fileName: `reports/mutation-${name}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    // In place, not in a sandbox: tests that walk up to ../shared or clusters/ must find the real ones.
    // Stryker restores every file when it ends; do not build or test this worktree meanwhile.
    inPlace: true,
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
    timeoutMS: 20_000,
    ignoreStatic: true,
    thresholds: { high: 90, low: 85, break: null },
  };
}

/** Killed (or timed out) over every mutant that was tested or not covered. */
function scoreOf(reportFile, ranges) {
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  const counts = { killed: 0, survived: 0, noCoverage: 0, other: 0 };
  const survivors = [];
  for (const [file, { mutants, source }] of Object.entries(report.files)) {
    const lines = source.split("\n");
    for (const mutant of mutants) {
      const line = mutant.location.start.line;
      // An incremental report keeps results of lines outside an anchored range: count only the range.
      const range = ranges.get(file);
      if (range && (line < range[0] || line > range[1])) continue;
      if (mutant.status === "Killed" || mutant.status === "Timeout") counts.killed += 1;
      else if (mutant.status === "Survived" || mutant.status === "NoCoverage") {
        counts[mutant.status === "Survived" ? "survived" : "noCoverage"] += 1;
        survivors.push(
          `${file}:${line} ${mutant.mutatorName} ${mutant.status}: ${(lines[line - 1] ?? "").trim().slice(0, 90)} → ${String(mutant.replacement ?? "").slice(0, 60)}`,
        );
      } else counts.other += 1;
    }
  }
  const valid = counts.killed + counts.survived + counts.noCoverage;
  return { ...counts, score: valid === 0 ? 100 : (100 * counts.killed) / valid, survivors };
}

const names = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
const unknown = names.filter((name) => !(name in MODULES));
if (unknown.length > 0) {
  console.error(`mutation: unknown module ${unknown.join(", ")}; modules: ${Object.keys(MODULES).join(", ")}`);
  process.exit(2);
}
const showSurvivors = process.argv.includes("--survivors");
// --concurrency=1 on a busy machine; 2 at most (the machine has 2 cores and other work on it).
const concurrency = Math.min(
  2,
  Math.max(1, Number(process.argv.find((arg) => arg.startsWith("--concurrency="))?.split("=")[1] ?? 2)),
);
const rows = [];
for (const name of names.length > 0 ? names : Object.keys(MODULES)) {
  const module = MODULES[name];
  const cwd = path.join(root, module.dir);
  mkdirSync(path.join(cwd, "reports"), { recursive: true });
  const configFile = path.join(cwd, "reports", `stryker-${name}.config.json`);
  writeFileSync(configFile, `${JSON.stringify(configFor(name, module, concurrency), null, 2)}\n`);
  console.log(`\nmutation: ${name} (${module.dir})`);
  // In-place runs rewrite files without their mode: keep the executable bit of the package's bin/ scripts.
  const binDir = path.join(cwd, "bin");
  const executables = existsSync(binDir)
    ? readdirSync(binDir)
        .map((file) => path.join(binDir, file))
        .filter((file) => (statSync(file).mode & 0o111) !== 0)
    : [];
  const run = spawnSync(process.execPath, [stryker, "run", configFile], { cwd, stdio: "inherit" });
  for (const file of executables) chmodSync(file, statSync(file).mode | 0o755);
  const reportFile = path.join(cwd, "reports", `mutation-${name}.json`);
  if (run.status !== 0 || !existsSync(reportFile)) {
    rows.push({ name, error: `stryker exited with ${run.status}` });
    continue;
  }
  const ranges = new Map(
    module.mutate
      .map((entry) => resolveMutate(cwd, entry))
      .map((entry) => /^(.*):(\d+)-(\d+)$/.exec(entry))
      .filter((match) => match !== null)
      .map((match) => [match[1], [Number(match[2]), Number(match[3])]]),
  );
  const score = scoreOf(reportFile, ranges);
  rows.push({ name, ...score });
  if (showSurvivors) for (const survivor of score.survivors) console.log(`  survived: ${survivor}`);
}

console.log("\nMutation score per module (target ≥ 85%):");
let failed = false;
for (const row of rows) {
  if (row.error) {
    failed = true;
    console.log(`  ${row.name.padEnd(16)} ERROR ${row.error}`);
    continue;
  }
  const pass = row.score >= 85;
  failed ||= !pass;
  console.log(
    `  ${row.name.padEnd(16)} ${row.score.toFixed(1).padStart(5)}%  killed ${row.killed}, survived ${row.survived}, no coverage ${row.noCoverage}${pass ? "" : "  (below 85%)"}`,
  );
}
process.exit(failed ? 1 : 0);
