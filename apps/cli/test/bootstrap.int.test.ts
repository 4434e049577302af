// kubeforge bootstrap against fake talosctl/helm/kubectl on PATH and an in-process fake API server (loopback only):
// it reaches "all Kustomizations Ready", and a run killed with SIGKILL resumes without repeating finished steps.
import { type ChildProcess, spawn } from "node:child_process";
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
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeFluxApi, startFakeFluxApi } from "./fake-flux-api.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.resolve(here, "..");
const repo = path.resolve(app, "../..");
const bin = path.join(app, "bin", "kubeforge.mjs");

let work: string;
let api: FakeFluxApi;
let log: string;

beforeAll(async () => {
  // Inside apps/cli so the copied cluster.ts resolves @kubeforge/config from node_modules.
  work = mkdtempSync(path.join(app, ".tmp-bootstrap-"));
  const cluster = path.join(work, "homelab");
  mkdirSync(cluster);
  for (const entry of ["cluster.ts", "talos", "bootstrap", "flux"]) {
    cpSync(path.join(repo, "clusters", "homelab", entry), path.join(cluster, entry), { recursive: true });
  }
  const fakes = path.join(work, "bin");
  mkdirSync(fakes);
  for (const tool of ["talosctl", "helm", "kubectl", "flux"]) {
    symlinkSync(path.join(here, "fakes", "tool.mjs"), path.join(fakes, tool));
  }
  chmodSync(path.join(here, "fakes", "tool.mjs"), 0o755);
  log = path.join(work, "calls.log");
  api = await startFakeFluxApi();
}, 120_000);

afterAll(async () => {
  await api?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function runBootstrap(
  extraEnv: Record<string, string> = {},
  extraArgs: string[] = [],
  fluxApi = () => api,
): {
  child: ChildProcess;
  output: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(
    process.execPath,
    [
      bin,
      "bootstrap",
      path.join(work, "homelab"),
      "--poll",
      "50ms",
      "--timeout",
      "90s",
      "--crds",
      "crds.yaml",
      ...extraArgs,
    ],
    {
      cwd: work,
      env: {
        ...process.env,
        PATH: `${path.join(work, "bin")}${path.delimiter}${process.env.PATH}`,
        SOPS_AGE_KEY_FILE: path.join(repo, "demo-keys", "age.agekey"),
        FAKE_LOG: log,
        FAKE_API_URL: fluxApi().url,
        ...extraEnv,
      },
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, output };
}

/** The fake tools' calls so far. Read while a fake may be appending: the file can exist still empty (created,
 * not yet written), so empty lines are skipped, and a last line not yet complete is left for the next read. */
const calls = () => {
  if (!existsSync(log)) return [];
  const lines = readFileSync(log, "utf8").split("\n");
  const complete = lines.slice(0, -1); // every line a fake finished ends with "\n"
  return complete.filter((line) => line !== "").map((line) => JSON.parse(line) as string[]);
};

/** A maintenance-mode certificate fingerprint as Talos prints it: base64 of a SHA-256 (44 characters). */
const FINGERPRINT = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

it("is killed with SIGKILL during the Cilium install, then resumes to all Kustomizations Ready", async () => {
  // node-1's certificate pinned, node-2 and node-3 not
  const first = runBootstrap({ FAKE_HANG_ON: "cilium" }, ["--cert-fingerprint", `node-1=${FINGERPRINT}`]);
  const deadline = Date.now() + 100_000;
  try {
    while (!calls().some((call) => call[0] === "helm" && call.includes("cilium"))) {
      if (Date.now() > deadline) {
        first.child.kill("SIGKILL");
        throw new Error(`cilium never started:\n${(await first.output).stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    // whatever happened, this run must not go on beside the next tests
    first.child.kill("SIGKILL");
  }
  const killed = await first.output;
  expect(killed.code).toBeNull();
  const applied = calls().filter((call) => call[0] === "talosctl" && call[1] === "apply-config");
  expect(applied.map((call) => call[call.indexOf("--nodes") + 1])).toEqual([
    "192.168.1.101",
    "192.168.1.102",
    "192.168.1.103",
  ]);
  expect(applied.every((call) => call.includes("--insecure"))).toBe(true);
  // The fingerprint reaches talosctl for node-1 only; the other nodes are named as unverified before their apply.
  expect(applied[0]![applied[0]!.indexOf("--cert-fingerprint") + 1]).toBe(FINGERPRINT);
  expect(applied.slice(1).some((call) => call.includes("--cert-fingerprint"))).toBe(false);
  const warnings = killed.stderr.split("\n").filter((line) => line.startsWith("warning:"));
  expect(warnings).toHaveLength(2);
  expect(warnings[0]).toMatch(/^warning: node-2 \(192\.168\.1\.102\): the node's identity is not verified/);
  expect(warnings[0]).toContain(
    "--cert-fingerprint node-2=<fingerprint> (shown on the node's console in maintenance mode)",
  );
  expect(warnings[1]).toMatch(/^warning: node-3 /);
  // each warning comes before that node's apply
  expect(killed.stderr.indexOf("warning: node-2")).toBeLessThan(
    killed.stderr.indexOf("to node-2 (insecure, maintenance mode): "),
  );

  const second = await runBootstrap().output;
  expect(second.stderr).toContain("already done");
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toContain("all Kustomizations Ready (4), all HelmReleases Ready (2)");
  // Finished steps were not repeated: still one apply-config and one etcd bootstrap per node/cluster.
  expect(calls().filter((call) => call[0] === "talosctl" && call[1] === "apply-config")).toHaveLength(3);
  expect(calls().filter((call) => call.includes("bootstrap") && call[0] === "talosctl")).toHaveLength(1);
  // What was not Ready, and why, was printed while waiting.
  expect(second.stderr).toContain("DependencyNotReady");
  expect(api.secrets.has("flux-system/sops-age")).toBe(true);
  // Controllers from the FluxInstance; the sync objects from the committed flux/flux-system only (one owner).
  expect(api.fluxInstance).toMatchObject({ kind: "FluxInstance", spec: { components: expect.any(Array) } });
  expect((api.fluxInstance as { spec: Record<string, unknown> }).spec.sync).toBeUndefined();
  const syncApplied = calls().find((call) => call[0] === "kubectl" && call.includes("-k"));
  expect(syncApplied?.[syncApplied.indexOf("-k") + 1]).toBe(path.join(work, "homelab", "flux", "flux-system"));
  const kubeconfig = readFileSync(path.join(work, "homelab", ".kubeforge", "kubeconfig"), "utf8");
  expect(kubeconfig).toContain("oidc@homelab");
  expect(kubeconfig).toContain("--oidc-issuer-url=https://auth.homelab.local");

  const third = await runBootstrap().output;
  expect(third.code).toBe(0);
  expect(third.stdout).toContain("0 steps run");
}, 300_000);

it("installs Flux with `flux install` and applies flux/flux-system with --flux-install; uploads only the cluster's age key", async () => {
  const other = await startFakeFluxApi({ pollsUntilReady: 0 });
  // A keys.txt holding another project's key beside the cluster's (the demo key): only the cluster's may be uploaded.
  const foreign = "AGE-SECRET-KEY-14KYYU5536ZRS9WHY54M862Y7Q6RRLH40UCVDCTJUTKMSX2W76F5SVLDT9M";
  const demoKey = readFileSync(path.join(repo, "demo-keys", "age.agekey"), "utf8");
  const keysTxt = path.join(work, "keys.txt");
  writeFileSync(keysTxt, `# another project\n${foreign}\n${demoKey}`, { mode: 0o600 });
  try {
    const before = calls().length;
    const result = await runBootstrap(
      { SOPS_AGE_KEY_FILE: keysTxt },
      ["--flux-install", "--restart", "--kubeconfig", path.join(work, "kubeconfig-2")],
      () => other,
    ).output;
    expect(result.code, result.stderr).toBe(0);
    const made = calls().slice(before);
    expect(made.some((call) => call[0] === "flux" && call.includes("install"))).toBe(true);
    // the cluster's DNS domain (flux install puts it into source-controller's artifact address)
    expect(made.find((call) => call[0] === "flux" && call.includes("install"))).toContain(
      "--cluster-domain=cluster.local",
    );
    const applied = made.find((call) => call[0] === "kubectl" && call.includes("-k"));
    expect(applied?.[applied.indexOf("-k") + 1]).toBe(path.join(work, "homelab", "flux", "flux-system"));
    expect(made.some((call) => call[0] === "helm" && call.includes("flux-operator"))).toBe(false);
    expect(result.stdout).toContain("all Kustomizations Ready (4)");
    const uploaded = JSON.stringify(other.secrets.get("flux-system/sops-age"));
    expect(uploaded).toContain(/AGE-SECRET-KEY-1\w+/.exec(demoKey)![0]);
    expect(uploaded).not.toContain(foreign);
  } finally {
    await other.close();
  }
}, 300_000);

it("a tool that asks a question gets no terminal: it fails and is named instead of waiting forever", async () => {
  const other = await startFakeFluxApi({ pollsUntilReady: 0 });
  try {
    const result = await runBootstrap(
      { FAKE_PROMPT_ON: "install" },
      ["--flux-install", "--restart", "--kubeconfig", path.join(work, "kubeconfig-3")],
      () => other,
    ).output;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/flux --kubeconfig \S+ install --cluster-domain=cluster\.local failed \(exit 1\)/);
  } finally {
    await other.close();
  }
}, 300_000);

it("refuses a key file without the cluster's key before changing anything", async () => {
  const keysTxt = path.join(work, "foreign.txt");
  writeFileSync(keysTxt, "AGE-SECRET-KEY-14KYYU5536ZRS9WHY54M862Y7Q6RRLH40UCVDCTJUTKMSX2W76F5SVLDT9M\n", {
    mode: 0o600,
  });
  const before = calls().length;
  const result = await runBootstrap({ SOPS_AGE_KEY_FILE: keysTxt }, ["--restart"]).output;
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`${keysTxt} holds no private key for this cluster's sops.ageRecipients`);
  expect(calls().length).toBe(before);
});

it("--require-fingerprint refuses before applying anything while a node to configure has no fingerprint", async () => {
  const before = calls().length;
  const result = await runBootstrap({}, [
    "--restart",
    "--require-fingerprint",
    "--cert-fingerprint",
    `node-2=${FINGERPRINT}`,
  ]).output;
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(
    "--require-fingerprint: no --cert-fingerprint for node-1, node-3; nothing was applied",
  );
  expect(calls().length).toBe(before);
  // --restart did not forget the state file of the earlier runs: nothing changed
  expect(existsSync(path.join(work, "homelab", ".kubeforge", "bootstrap-state.json"))).toBe(true);
});

it("refuses a --cert-fingerprint that names no node of the cluster or is no fingerprint", async () => {
  const before = calls().length;
  const unknown = await runBootstrap({}, ["--cert-fingerprint", `node-9=${FINGERPRINT}`]).output;
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("expected <hostname>=<fingerprint> with a hostname of the cluster");
  const malformed = await runBootstrap({}, ["--cert-fingerprint", "node-1=abc"]).output;
  expect(malformed.code).toBe(2);
  expect(malformed.stderr).toContain("abc is not a certificate fingerprint");
  expect(calls().length).toBe(before);
});

it("names missing tools and how to install them before doing anything", async () => {
  const child = spawn(process.execPath, [bin, "bootstrap", path.join(work, "homelab")], {
    cwd: work,
    env: { ...process.env, PATH: path.join(work, "no-tools") },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise((resolve) => child.on("close", resolve));
  expect(code).toBe(1);
  expect(stderr).toContain("bootstrap needs talosctl, kubectl, helm on PATH; nothing was changed");
  expect(stderr).toContain("talosctl: curl -sL https://talos.dev/install");
  expect(stderr).not.toContain("    at ");
});
