// Benchmark: the whole CLI on the homelab cluster (kustomize builds, model, Talos configs decrypted) against
// `kubectl kustomize` of the same Flux paths alone, one after another. Runs alternate; medians are printed.
// Run `pnpm build` first. Set KUBEFORGE_CLI to time another build of the CLI (e.g. an older one).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(packageDir, "..", "..");
const cluster = path.join(repoRoot, "clusters", "homelab");
const cli = process.env.KUBEFORGE_CLI ?? path.join(packageDir, "bin", "kubeforge-validate.mjs");
const env = { ...process.env, SOPS_AGE_KEY_FILE: path.join(repoRoot, "demo-keys", "age.agekey") };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** The Flux paths the CLI builds: every Kustomization spec.path with a kustomization file. */
function fluxPaths() {
  const out = execFileSync("grep", ["-rh", "^  path: ", path.join(cluster, "flux")], { encoding: "utf8" });
  const dirs = [...new Set(out.split("\n").map((line) => line.replace(/^ {2}path: /, "").trim()))]
    .filter(Boolean)
    .map((fluxPath) => path.resolve(repoRoot, fluxPath));
  return dirs.filter((dir) => existsSync(path.join(dir, "kustomization.yaml"))).sort();
}

function time(run) {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function must(result, what) {
  if (result.status !== 0) throw new Error(`${what} failed (${result.status}): ${result.stderr}`);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const dirs = fluxPaths();
const kustomizeTimes = [];
const cliTimes = [];
for (let round = 0; round < ROUNDS; round++) {
  kustomizeTimes.push(
    time(() => {
      for (const dir of dirs)
        must(spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8" }), `kubectl kustomize ${dir}`);
    }),
  );
  cliTimes.push(
    time(() =>
      must(spawnSync(process.execPath, [cli, "--offline", cluster], { env, encoding: "utf8" }), "kubeforge-validate"),
    ),
  );
}
const alone = median(kustomizeTimes);
const whole = median(cliTimes);
console.log(
  `cli: kubeforge-validate clusters/homelab (${dirs.length} Flux paths built), median of ${ROUNDS} alternating runs`,
);
console.log(`cli: kubectl kustomize of the same paths alone: ${alone.toFixed(2)} s`);
console.log(
  `cli: whole CLI (kustomize, model, schemas, policies, Talos decrypt + schema): ${whole.toFixed(2)} s (${(whole / alone).toFixed(2)}× kustomize alone)`,
);
