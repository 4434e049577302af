// The built CLI: help, the plan for the committed homelab cluster (simulated live state), usage errors, exit codes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-upgrade-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const bin = fileURLToPath(new URL("../bin/kubeforge-upgrade.mjs", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const noKube = path.join(mkdtempSync(path.join(scratch, "no-kube-")), "absent");

function cli(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    reject: false,
    env: { KUBECONFIG: noKube, ...env },
  });
}

// Independent processes: run them side by side.
describe.concurrent("kubeforge-upgrade CLI", () => {
  it("--help lists the commands and the exit codes", async () => {
    const result = await cli(["--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      "Usage: kubeforge-upgrade <plan|run|status> [<cluster> | --cluster <file|folder|name>] [options]",
    );
    expect(result.stdout).toContain("5  production refused by the promotion gate");
  });

  it("takes the cluster as an argument or from the current folder, like kubeforge build (both were refused)", async () => {
    const named = await cli(["plan", "homelab"]);
    expect(named.exitCode, named.stderr).toBe(0);
    expect(named.stdout.split("\n")[0]).toBe("Upgrade plan for homelab (production)");
    const here = await execa(process.execPath, [bin, "plan"], {
      cwd: path.join(repoRoot, "clusters", "homelab"),
      reject: false,
      env: { KUBECONFIG: noKube },
    });
    expect(here.exitCode, here.stderr).toBe(0);
    expect(here.stdout.split("\n")[0]).toBe("Upgrade plan for homelab (production)");
    const twice = await cli(["plan", "homelab", "--cluster", "staging"]);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toContain("the cluster is given twice: homelab and --cluster staging");
  });

  it("plan --cluster homelab prints a plan for the committed cluster, clearly labelled as simulated", async () => {
    const result = await cli(["plan", "--cluster", "homelab"]);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("Upgrade plan for homelab (production)");
    expect(lines[1]).toBe(`LIVE STATE: SIMULATED — no cluster reachable (kubeconfig ${noKube} does not exist).`);
    expect(result.stdout).toContain("Step 1/2: Talos → v1.13.9, one node at a time");
    expect(result.stdout).toContain("3. node-1 (192.168.1.101) — control plane; etcd leader, VIP holder: last");
    expect(result.stdout).toContain("Step 2/2: Kubernetes v1.34.8 → v1.35.2 via talosctl upgrade-k8s");
    expect(result.stdout).toContain("etcd-quorum-without-node: etcd keeps quorum with this node's member down");
  });

  it("plan --json with assumed versions walks each intermediate minor", async () => {
    const result = await cli([
      "plan",
      "--cluster",
      "clusters/staging/cluster.ts",
      "--json",
      "--assume-talos",
      "v1.11.3",
      "--assume-kubernetes",
      "v1.33.1",
    ]);
    expect(result.exitCode).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.live.source).toBe("simulated");
    expect(plan.steps.map((step: { kind: string; to: string }) => `${step.kind} ${step.to}`)).toEqual([
      "talos v1.11.6",
      "talos v1.12.11",
      "talos v1.13.9",
      "kubernetes v1.33.6",
      "kubernetes v1.34.8",
      "kubernetes v1.35.2",
    ]);
  });

  it("a downgrade is a plan error (exit 1) with a hint", async () => {
    const result = await cli(["plan", "--cluster", "homelab", "--assume-talos", "v1.14.2"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      "error: [E_PLAN] Talos v1.13.9 is older than the running v1.14.2 — downgrades are not supported: roll back with talosctl rollback, or raise the version in the model",
    );
  });

  it("usage errors exit 2", async () => {
    // no cluster named and none in the current folder (the repository root): said so, exit 1, not a usage error
    const none = await cli(["plan"]);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toMatch(/has no cluster\.ts, cluster\.yaml, cluster\.yml, cluster\.json/);
    expect((await cli(["deploy", "--cluster", "homelab"])).stderr).toContain("error: unknown command: deploy");
    const force = await cli(["run", "--cluster", "homelab", "--force"]);
    expect(force.exitCode).toBe(2);
    expect(force.stderr).toContain("--force needs --reason");
    const timeout = await cli(["run", "--cluster", "homelab", "--timeout", "etcd=5m"]);
    expect(timeout.exitCode).toBe(2);
    expect(timeout.stderr).toContain('unknown gate "etcd"');
  });

  it("bad flag values are usage errors naming the flag, and run --json prints every error as JSON", async () => {
    const zero = await cli(["run", "--cluster", "homelab", "--timeout", "0s", "--json"]);
    expect(zero.exitCode).toBe(2);
    expect(JSON.parse(zero.stdout)).toMatchObject({
      type: "error",
      code: "E_USAGE",
      message: expect.stringContaining("--timeout 0s: a timeout must be longer than 0"),
    });
    const endpoint = await cli(["run", "--cluster", "homelab", "--etcd-endpoints", "192.168.1.101:2379"]);
    expect(endpoint.exitCode).toBe(2);
    expect(endpoint.stderr).toContain('--etcd-endpoints: "192.168.1.101:2379" is not a URL');
    const dir = mkdtempSync(path.join(scratch, "bad-pem-"));
    const kubeconfig = path.join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
        users: [{ name: "u", user: { token: "t" } }],
        contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
        "current-context": "c",
      }),
    );
    for (const name of ["ca", "cert", "key"]) writeFileSync(path.join(dir, name), "not a certificate\n");
    const pem = await cli([
      "run",
      "--cluster",
      "homelab",
      "--kubeconfig",
      kubeconfig,
      "--etcd-ca",
      path.join(dir, "ca"),
      "--etcd-cert",
      path.join(dir, "cert"),
      "--etcd-key",
      path.join(dir, "key"),
      "--json",
    ]);
    // Before: reported as "no etcd endpoint answered" after trying to connect.
    expect(pem.exitCode).toBe(2);
    expect(JSON.parse(pem.stdout)).toMatchObject({
      type: "error",
      code: "E_USAGE",
      message: expect.stringContaining("--etcd-ca"),
    });
    expect(pem.stdout).toContain("not a PEM certificate");
  });

  it("plan refuses the flag values run refuses, never showing a simulated plan for them (it did, exit 0)", async () => {
    for (const [flag, value, message] of [
      ["--timeout", "banana", '--timeout banana: "banana" is not a duration'],
      ["--poll", "xyz", "--poll xyz is not a duration"],
      ["--etcd-endpoints", "foo", '--etcd-endpoints: "foo" is not a URL'],
    ] as const) {
      const result = await cli(["plan", "homelab", flag, value]);
      expect(result.exitCode, `${flag} ${value}: ${result.stdout}`).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stdout).not.toContain("SIMULATED");
    }
  });

  it("plan and status --json print an error as one JSON document on stdout too (stdout was empty)", async () => {
    for (const command of ["plan", "status"]) {
      const result = await cli([command, "nosuch", "--json"]);
      expect(result.exitCode).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ type: "error", message: expect.stringContaining("nosuch") });
      expect(result.stderr).toContain("error: ");
    }
    const usage = await cli(["plan", "homelab", "--poll", "xyz", "--json"]);
    expect(usage.exitCode).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ type: "error", code: "E_USAGE" });
  });

  it("a missing definition exits 1 naming it", async () => {
    const result = await cli(["status", "--cluster", "nowhere"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("nowhere");
  });

  it("a syntax error in the definition exits 1 with its line:column, not an internal error (was exit 70)", async () => {
    const dir = mkdtempSync(path.join(scratch, "broken-"));
    writeFileSync(path.join(dir, "cluster.ts"), 'export default {\n  name: "lab",\n  api: { vip: "10.0.0.10" ],\n};\n');
    // A folder is taken as the definition in it, as `kubeforge` takes it.
    for (const cluster of [dir, path.join(dir, "cluster.ts")]) {
      const result = await cli(["plan", "--cluster", cluster]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        `${path.join(dir, "cluster.ts")}: line 3:27: syntax error: Unexpected token, expected ","`,
      );
      expect(result.stderr).not.toMatch(/internal error|ParseError|\n\s+at /);
    }
  });

  it("--version and -v print the version (were usage errors, exit 2)", async () => {
    for (const flag of ["--version", "-v"]) {
      const result = await cli([flag]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^kubeforge-upgrade \d+\.\d+\.\d+$/);
    }
  });

  it("an unknown option names its likely spelling, not node's positional-argument advice", async () => {
    const result = await cli(["plan", "--clustr", "homelab"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^error: unknown option --clustr \(did you mean --cluster\?\); see kubeforge-upgrade --help\n/,
    );
    expect(result.stderr).not.toContain("as in '-- \"");
  });

  it("run without a kubeconfig exits 6 instead of trying localhost:8080", async () => {
    const result = await cli(["run", "--cluster", "homelab"]);
    expect(result.exitCode).toBe(6);
    expect(result.stderr).toBe(
      `error: [E_CONNECT] kubeconfig ${noKube} does not exist — pass --kubeconfig <file> or set KUBECONFIG (talosctl kubeconfig writes one)`,
    );
  });

  it("status with no recorded run says so", async () => {
    const stateDir = mkdtempSync(path.join(scratch, "status-"));
    const result = await cli(["status", "--cluster", "homelab", "--state-dir", stateDir]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      `No upgrade recorded for this cluster.\n(state file: ${path.join(stateDir, "homelab.state.json")})`,
    );
    writeFileSync(path.join(stateDir, "homelab.state.json"), "{}");
    const broken = await cli(["status", "--cluster", "homelab", "--state-dir", stateDir]);
    expect(broken.exitCode).toBe(6);
    expect(broken.stderr).toContain("[E_STATE]");
  });
});
