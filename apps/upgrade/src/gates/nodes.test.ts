import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UpgradeError } from "../errors.js";
import {
  checkKubeletVersions,
  checkNodeReady,
  checkNodesReady,
  checkNoneCordoned,
  checkNoUpgradeInProgress,
  createKubeClient,
  type KubeNodeState,
} from "./nodes.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-nodes-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const node = (name: string, extra: Partial<KubeNodeState> = {}): KubeNodeState => ({
  name,
  ready: true,
  unschedulable: false,
  kubeletVersion: "v1.35.2",
  ...extra,
});

describe("Kubernetes gates", () => {
  it("all nodes Ready, naming the ones that are not", () => {
    expect(checkNodesReady([node("a"), node("b")])).toEqual({ ok: true, detail: "2/2 nodes Ready" });
    expect(checkNodesReady([node("a"), node("b", { ready: false, reason: "KubeletNotReady" })])).toEqual({
      ok: false,
      detail: "b NotReady (KubeletNotReady)",
    });
    expect(checkNodesReady([]).ok).toBe(false);
    expect(checkNodesReady([node("a")], ["a", "b"])).toEqual({ ok: false, detail: "not registered in Kubernetes: b" });
  });

  it("one node Ready and uncordoned", () => {
    expect(checkNodeReady([node("a")], "b").detail).toBe("b is not registered in Kubernetes");
    expect(checkNodeReady([node("a", { unschedulable: true })], "a").detail).toBe("a is Ready but still cordoned");
    expect(checkNodeReady([node("a")], "a").ok).toBe(true);
  });

  it("a cordoned node means a drain is under way", () => {
    expect(checkNoneCordoned([node("a", { unschedulable: true }), node("b")])).toEqual({
      ok: false,
      detail: "cordoned: a (a drain or upgrade is in progress)",
    });
  });

  it("an upgrade in progress: a node unschedulable, or a Talos machine stage other than running", () => {
    expect(checkNoUpgradeInProgress([node("a")], [{ hostname: "a", stage: "running" }]).ok).toBe(true);
    expect(checkNoUpgradeInProgress([node("a")], [{ hostname: "a", stage: "upgrading" }])).toEqual({
      ok: false,
      detail: "a: Talos machine stage is upgrading (an upgrade or reboot is in progress)",
    });
    expect(checkNoUpgradeInProgress([node("a")], [{ hostname: "a", error: "connection refused" }]).detail).toContain(
      "machine stage unknown (connection refused)",
    );
    expect(checkNoUpgradeInProgress([node("a", { unschedulable: true })], []).ok).toBe(false);
  });

  it("kubelet versions compare without caring about the v prefix", () => {
    expect(checkKubeletVersions([node("a", { kubeletVersion: "1.35.2" })], "v1.35.2").ok).toBe(true);
    expect(checkKubeletVersions([node("a", { kubeletVersion: "v1.34.2" })], "v1.35.2").detail).toBe("a at v1.34.2");
  });

  it("an API server that accepts the connection but never answers fails the call at its deadline", async () => {
    const server = createServer(() => {}); // holds every connection open, says nothing
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const kubeconfig = path.join(mkdtempSync(path.join(scratch, "kube-")), "config");
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
    );
    try {
      const client = createKubeClient({ kubeconfig, timeoutMs: 300 });
      await expect(client.listNodes()).rejects.toThrow(
        "Kubernetes API unreachable: Kubernetes API did not answer within 0.3s",
      );
    } finally {
      server.close();
    }
  }, 5000);

  it("refuses to fall back to localhost:8080 when there is no kubeconfig", () => {
    const missing = path.join(mkdtempSync(path.join(scratch, "kube-")), "nope");
    expect(() => createKubeClient({ kubeconfig: missing })).toThrow(UpgradeError);
    expect(() => createKubeClient({ kubeconfig: missing })).toThrow(`kubeconfig ${missing} does not exist`);
    const empty = path.join(mkdtempSync(path.join(scratch, "kube-")), "config");
    writeFileSync(empty, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");
    expect(() => createKubeClient({ kubeconfig: empty })).toThrow(/has no cluster for its current context/);
  });
});
