// kubeforge bootstrap resumed after the configs it applied changed (fake talosctl/helm/kubectl on PATH, an in-process
// fake API server on loopback): it refuses, naming the node and the next steps, instead of skipping the apply.
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeFluxApi, startFakeFluxApi } from "./fake-flux-api.js";
import { APP as app, BIN as bin, TEST_DIR as here, interruptAtMarker, REPO as repo } from "./harness.js";

const demoKey = path.join(repo, "demo-keys", "age.agekey");
let work: string;
let cluster: string;
let api: FakeFluxApi;
let log: string;

beforeAll(async () => {
  // Inside apps/cli so the copied cluster.ts resolves @kubeforge/config from node_modules.
  work = mkdtempSync(path.join(app, ".tmp-resume-"));
  cluster = path.join(work, "homelab");
  mkdirSync(cluster);
  for (const entry of ["cluster.ts", "talos", "bootstrap", "flux", "secrets"])
    cpSync(path.join(repo, "clusters", "homelab", entry), path.join(cluster, entry), { recursive: true });
  const fakes = path.join(work, "bin");
  mkdirSync(fakes);
  for (const tool of ["talosctl", "helm", "kubectl", "flux"])
    symlinkSync(path.join(here, "fakes", "tool.mjs"), path.join(fakes, tool));
  chmodSync(path.join(here, "fakes", "tool.mjs"), 0o755);
  log = path.join(work, "calls.log");
  api = await startFakeFluxApi({ pollsUntilReady: 0 });
}, 120_000);

afterAll(async () => {
  await api?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  const { SOPS_AGE_KEY_FILE: _file, SOPS_AGE_KEY: _key, SOPS_AGE_KEY_CMD: _cmd, NODE_PATH: _p, ...rest } = process.env;
  return {
    ...rest,
    PATH: `${path.join(work, "bin")}${path.delimiter}${process.env.PATH}`,
    SOPS_AGE_KEY_FILE: demoKey,
    FAKE_LOG: log,
    FAKE_API_URL: api.url,
  };
}

/** Async: the fake API answers from this process, so the test must not block while bootstrap runs. */
function bootstrap(...extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [bin, "bootstrap", "homelab", "--poll", "50ms", "--timeout", "90s", "--crds", "crds.yaml", ...extra],
    { cwd: work, env: env() },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

function build(): void {
  const result = spawnSync(process.execPath, [bin, "build", "homelab"], { cwd: work, encoding: "utf8", env: env() });
  expect(result.status, result.stderr).toBe(0);
}

function edit(from: string, to: string): void {
  const file = path.join(cluster, "cluster.ts");
  const text = readFileSync(file, "utf8");
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

const calls = () =>
  existsSync(log)
    ? readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as string[])
    : [];
const applyCalls = () => calls().filter((call) => call[0] === "talosctl" && call[1] === "apply-config");

it("refuses to resume after an applied config changed, names the node and the fixes; --accept-applied records it", async () => {
  const first = await bootstrap();
  expect(first.code, first.stderr).toBe(0);
  expect(applyCalls()).toHaveLength(3);
  const state = JSON.parse(readFileSync(path.join(cluster, ".kubeforge", "bootstrap-state.json"), "utf8"));
  expect(state.applied["apply:node-1"]).toEqual({
    address: "192.168.1.101",
    digest: expect.stringMatching(/^[0-9a-f]{64}$/),
  });

  edit('installDisk: { type: "nvme" }', 'installDisk: "/dev/nvme0n1"');
  build();
  const before = calls().length;
  // Before the fix: exit 0, "[1/14] … already done (192.168.1.101)" and no apply-config.
  const changed = await bootstrap();
  expect(changed.code).toBe(1);
  expect(changed.stderr).toContain(
    "node-1: homelab/talos/generated/node-1.sops.yaml changed since bootstrap applied it",
  );
  expect(changed.stderr).toContain("kubeforge talos apply --cluster homelab --node node-1");
  expect(changed.stderr).toContain("kubeforge bootstrap homelab --accept-applied");
  expect(changed.stderr).toContain("kubeforge bootstrap homelab --restart");
  expect(changed.stderr).not.toContain("already done");
  expect(changed.stderr).not.toContain("    at ");
  expect(calls()).toHaveLength(before); // nothing ran

  const accepted = await bootstrap("--accept-applied");
  expect(accepted.code, accepted.stderr).toBe(0);
  expect(accepted.stderr).toContain(
    "node-1: recorded the current config (192.168.1.101) as applied (--accept-applied)",
  );
  expect(accepted.stdout).toContain("0 steps run");
  expect(applyCalls()).toHaveLength(3);
  const again = await bootstrap();
  expect(again.code, again.stderr).toBe(0);
}, 300_000);

it("refuses to resume after a node's address changed, then --restart applies the current configs again", async () => {
  edit('address: "192.168.1.102"', 'address: "192.168.1.112"');
  build();
  const before = calls().length;
  const changed = await bootstrap();
  expect(changed.code).toBe(1);
  expect(changed.stderr).toContain(
    "its address changed from 192.168.1.102 (where the applied config put it) to 192.168.1.112",
  );
  expect(changed.stderr).toMatch(/^ {2}node-2: /m);
  expect(changed.stderr).not.toMatch(/^ {2}node-1: /m);
  // the moved node is reached at its old address (kubeforge talos apply would use the new one): talosctl's command
  expect(changed.stderr).toMatch(
    /node-2 still answers at 192\.168\.1\.102 until it runs the new config, so apply it there: `talosctl --talosconfig \S*talosconfig --nodes 192\.168\.1\.102 --endpoints 192\.168\.1\.102 apply-config --file \/dev\/stdin < <\(kubeforge secrets decrypt \S*node-2\.sops\.yaml\)`/,
  );
  expect(calls()).toHaveLength(before);

  const restarted = await bootstrap("--restart");
  expect(restarted.code, restarted.stderr).toBe(0);
  const applied = applyCalls().slice(3);
  expect(applied.map((call) => call[call.indexOf("--nodes") + 1])).toEqual([
    "192.168.1.101",
    "192.168.1.112",
    "192.168.1.103",
  ]);
}, 300_000);

it("Ctrl-C says where bootstrap stopped and that re-running continues; re-running does", async () => {
  const marker = path.join(work, "cilium-started");
  // Before the fix: exit 130 and nothing said.
  const interrupted = await interruptAtMarker(
    ["bootstrap", "homelab", "--restart", "--poll", "50ms", "--timeout", "90s", "--crds", "crds.yaml"],
    { cwd: work, env: { ...env(), FAKE_HANG_ON: "cilium", FAKE_MARKER: marker }, marker },
  );
  expect(interrupted.code).toBe(130);
  const lines = interrupted.stderr.split("\n").filter((line) => line.startsWith("bootstrap interrupted"));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    /^bootstrap interrupted \(SIGINT\) during \[\d+\/\d+\] install Cilium with helm from bootstrap\/cilium-values\.yaml; finished steps are recorded in homelab\/\.kubeforge\/bootstrap-state\.json: re-run `kubeforge bootstrap homelab` to continue from there$/,
  );
  expect(interrupted.stderr).not.toContain("    at ");

  const resumed = await bootstrap();
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stderr).toMatch(/apply the CRDs the first reconciliation needs \(server-side\) … already done/);
  expect(resumed.stderr).not.toMatch(/install Cilium .* already done/);
}, 300_000);

it("refuses to apply --insecure again to a node renamed after its config was applied; --accept-applied records it", async () => {
  // from a review: node-3 renamed to node-4 (same address) made resume run `apply-config --insecure` against a
  // machine that already runs node-3's config
  edit('"node-3"', '"node-4"');
  build();
  const before = applyCalls().length;
  const refused = await bootstrap();
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(
    "bootstrap configured 192.168.1.103 as node-3, which the definition now names node-4: applying again with --insecure would fail there",
  );
  expect(refused.stderr).toContain("kubeforge talos apply --cluster homelab --node node-4");
  expect(applyCalls()).toHaveLength(before);

  const accepted = await bootstrap("--accept-applied");
  expect(accepted.code, accepted.stderr).toBe(0);
  expect(accepted.stderr).toContain("node-4: recorded the current config (192.168.1.103, was node-3) as applied");
  expect(applyCalls()).toHaveLength(before);
}, 300_000);
