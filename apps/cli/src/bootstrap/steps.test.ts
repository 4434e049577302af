import type { Cluster } from "@kubeforge/config";
import { expect, it } from "vitest";
import type { BootstrapContext } from "./context.js";
import { buildPlan } from "./steps.js";

it("passes the plaintext machine config to talosctl through stdin, never a file", async () => {
  const cluster = {
    name: "lab",
    nodes: [{ hostname: "cp-1", address: "10.0.0.11", role: "controlplane" }],
    sops: { ageRecipients: [], decryptionSecret: "sops-age" },
    flux: { url: "ssh://git@example.com/x.git", branch: "main" },
  } as unknown as Cluster;
  const [apply] = buildPlan({ cluster, fluxInstall: "operator" });
  const calls: { tool: string; args: readonly string[]; input?: string }[] = [];
  const warnings: string[] = [];
  const context = {
    cluster,
    clusterDir: "/repo/clusters/lab",
    addresses: { "cp-1": "10.0.0.11" },
    certFingerprints: {},
    io: { out: () => {}, err: (text: string) => warnings.push(text) },
    decrypt: async () => "machine:\n  token: secret\n",
    exec: async (tool: string, args: readonly string[], options?: { input?: string }) => {
      calls.push({ tool, args, ...(options?.input ? { input: options.input } : {}) });
      return "";
    },
  } as unknown as BootstrapContext;
  expect(apply!.id).toBe("apply:cp-1");
  await apply!.run(context);
  expect(calls).toEqual([
    {
      tool: "talosctl",
      args: ["apply-config", "--insecure", "--nodes", "10.0.0.11", "--file", "/dev/stdin"],
      input: "machine:\n  token: secret\n",
    },
  ]);
  // no fingerprint: one line says the node is unverified and how to pin it
  expect(warnings).toEqual([
    expect.stringMatching(/^warning: cp-1 \(10\.0\.0\.11\): the node's identity is not verified/),
  ]);

  // pinned: every fingerprint of the node goes to talosctl, and nothing is said
  calls.length = 0;
  warnings.length = 0;
  const pinned = { ...context, certFingerprints: { "cp-1": ["a", "b"], "cp-2": ["c"] } } as BootstrapContext;
  expect(await apply!.run(pinned)).toBe("10.0.0.11 (certificate pinned)");
  expect(calls[0]!.args).toEqual([
    "apply-config",
    "--insecure",
    "--cert-fingerprint",
    "a",
    "--cert-fingerprint",
    "b",
    "--nodes",
    "10.0.0.11",
    "--file",
    "/dev/stdin",
  ]);
  expect(warnings).toEqual([]);
});

it("talks to a node at its static address once its config is applied (--node-address is the maintenance DHCP address)", async () => {
  const { step, context, calls } = etcdBootstrapContext([]);
  const seen: string[] = [];
  const exec = context.exec;
  Object.assign(context, {
    addresses: { "cp-1": "10.0.0.99" },
    exec: async (tool: string, args: readonly string[]) => {
      seen.push(args[args.indexOf("--nodes") + 1]!);
      return exec(tool, args);
    },
  });
  await step.run(context);
  expect(calls).toContain("bootstrap");
  expect(new Set(seen)).toEqual(new Set(["10.0.0.11"]));
});

function etcdBootstrapContext(answers: (string | undefined)[]) {
  const cluster = {
    name: "lab",
    nodes: [{ hostname: "cp-1", address: "10.0.0.11", controlPlane: true, role: "controlplane" }],
    sops: { ageRecipients: [], decryptionSecret: "sops-age" },
    flux: { url: "ssh://git@example.com/x.git", branch: "main" },
  } as unknown as Cluster;
  const step = buildPlan({ cluster, fluxInstall: "operator" }).find((candidate) => candidate.id === "etcd-bootstrap")!;
  const calls: string[] = [];
  const context = {
    cluster,
    clusterDir: "/repo/clusters/lab",
    talosconfig: "/tmp/talosconfig",
    addresses: { "cp-1": "10.0.0.11" },
    timeoutMs: 60_000,
    pollMs: 0,
    exec: async (_tool: string, args: readonly string[]) => {
      const verb = args.at(-1)!;
      calls.push(verb);
      if (verb !== "bootstrap") return "";
      const answer = answers.shift();
      if (answer !== undefined) throw new Error(`talosctl ${args.join(" ")} failed (exit 1):\n${answer}`);
      return "";
    },
  } as unknown as BootstrapContext;
  return { step, context, calls };
}

it("retries talosctl bootstrap while Talos says not yet (CRI or time not ready), as Talos' own bootstrapper does", async () => {
  const { step, context, calls } = etcdBootstrapContext([
    "error executing bootstrap: rpc error: code = FailedPrecondition desc = bootstrap is not available yet",
    "error executing bootstrap: rpc error: code = FailedPrecondition desc = time is not in sync yet",
  ]);
  await expect(step.run(context)).resolves.toBe("cp-1");
  expect(calls.filter((verb) => verb === "bootstrap")).toHaveLength(3);
});

it("takes AlreadyExists as done and fails at once on other errors", async () => {
  const done = etcdBootstrapContext(["rpc error: code = AlreadyExists desc = etcd data directory is not empty"]);
  await expect(done.step.run(done.context)).resolves.toBe("cp-1: already bootstrapped");
  const bad = etcdBootstrapContext(["rpc error: code = PermissionDenied desc = not authorized"]);
  await expect(bad.step.run(bad.context)).rejects.toThrow(/PermissionDenied/);
  expect(bad.calls.filter((verb) => verb === "bootstrap")).toHaveLength(1);
});
