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
  const context = {
    cluster,
    clusterDir: "/repo/clusters/lab",
    addresses: { "cp-1": "10.0.0.11" },
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
});
