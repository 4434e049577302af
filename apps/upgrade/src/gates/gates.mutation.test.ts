// Gate verdicts stated case by case, each written to kill a mutant that survived the earlier suite
// (`pnpm mutation upgrade-gates`): a gate must refuse exactly when the cluster is not safe to touch.
import { describe, expect, it } from "vitest";
import type { Talosctl } from "../talosctl.js";
import {
  checkEtcdMemberRejoined,
  checkEtcdMembersHealthy,
  checkEtcdNoAlarms,
  checkEtcdQuorumWithout,
  type EtcdMemberState,
} from "./etcd.js";
import { guardCheck, waitForGate } from "./gate.js";
import { type GateClients, makeGate } from "./index.js";
import { KUBERNETES_GATES_AFTER, KUBERNETES_GATES_BEFORE, TALOS_GATES_AFTER, TALOS_GATES_BEFORE } from "./names.js";
import {
  checkKubeletVersions,
  checkNodeReady,
  checkNodesReady,
  checkNoneCordoned,
  type KubeNodeState,
  type KubePodState,
} from "./nodes.js";
import { checkPodHealth } from "./pods.js";

const member = (name: string, extra: Partial<EtcdMemberState> = {}): EtcdMemberState => ({
  id: `id-${name}`,
  name,
  clientURLs: [`https://${name}:2379`],
  isLearner: false,
  healthy: true,
  ...extra,
});
const node = (name: string, extra: Partial<KubeNodeState> = {}): KubeNodeState => ({
  name,
  ready: true,
  unschedulable: false,
  kubeletVersion: "v1.35.2",
  ...extra,
});

describe("etcd gates", () => {
  it("members healthy: a learner, an unstarted member and a down one each fail on their own", () => {
    expect(checkEtcdMembersHealthy({ members: [member("a"), member("b", { isLearner: true })], alarms: [] })).toEqual({
      ok: false,
      detail: "b: is a learner",
    });
    // An unnamed member fails even when it answers: Talos names members after the node once started.
    const unnamed = checkEtcdMembersHealthy({ members: [member("a"), member("", { id: "x9" })], alarms: [] });
    expect(unnamed.ok).toBe(false);
    expect(unnamed.detail).toMatch(/^member x9: /);
    expect(
      checkEtcdMembersHealthy({ members: [member("a", { healthy: false, problem: "has no leader" })], alarms: [] }),
    ).toEqual({ ok: false, detail: "a: has no leader" });
  });

  it("alarms: an alarm on an unknown member is named by id; several are listed in order", () => {
    expect(
      checkEtcdNoAlarms({
        members: [member("a")],
        alarms: [
          { memberId: "id-a", alarm: "NOSPACE" },
          { memberId: "zz", alarm: "CORRUPT" },
        ],
      }),
    ).toEqual({ ok: false, detail: "alarms raised: NOSPACE on a, CORRUPT on member zz" });
    expect(checkEtcdNoAlarms({ members: [member("a")], alarms: [] })).toEqual({ ok: true, detail: "no alarms" });
  });

  it("quorum: the node's own member never counts as a survivor, healthy or not", () => {
    expect(
      checkEtcdQuorumWithout(
        { members: [member("a"), member("b"), member("c", { healthy: false, problem: "x" })], alarms: [] },
        "a",
      ),
    ).toEqual({ ok: false, detail: "1 healthy member(s) besides a, quorum is 2 of 3" });
  });

  it("rejoined: a learner or an unregistered node is never ok", () => {
    expect(checkEtcdMemberRejoined({ members: [member("b", { isLearner: true })], alarms: [] }, "b").ok).toBe(false);
    expect(checkEtcdMemberRejoined({ members: [member("a")], alarms: [] }, "b").ok).toBe(false);
  });

  it("rejoined: the member under the node's name, not any member", () => {
    expect(checkEtcdMemberRejoined({ members: [member("a"), member("b")], alarms: [] }, "b")).toEqual({
      ok: true,
      detail: "b rejoined and is healthy",
    });
    expect(
      checkEtcdMemberRejoined(
        { members: [member("a"), member("b", { healthy: false, problem: "down" })], alarms: [] },
        "b",
      ),
    ).toEqual({ ok: false, detail: "b: down" });
  });
});

describe("Kubernetes gates", () => {
  it("nodes Ready: every expected node registered, none NotReady, never an empty list", () => {
    expect(checkNodesReady([node("a"), node("b")], ["a", "b"])).toEqual({ ok: true, detail: "2/2 nodes Ready" });
    expect(checkNodesReady([], [])).toEqual({ ok: false, detail: "the API lists no nodes" });
    expect(checkNodesReady([node("a")], ["b", "c"])).toEqual({
      ok: false,
      detail: "not registered in Kubernetes: b, c",
    });
    expect(
      checkNodesReady([
        node("a", { ready: false, reason: "KubeletNotReady" }),
        node("b", { ready: false, reason: "NodeStatusUnknown" }),
      ]),
    ).toEqual({ ok: false, detail: "a NotReady (KubeletNotReady), b NotReady (NodeStatusUnknown)" });
  });

  it("one node: an unregistered node is never ok", () => {
    expect(checkNodeReady([node("a")], "b")).toEqual({ ok: false, detail: "b is not registered in Kubernetes" });
  });

  it("one node: NotReady names the reason; Ready and schedulable passes", () => {
    expect(checkNodeReady([node("a", { ready: false, reason: "KubeletNotReady" })], "a")).toEqual({
      ok: false,
      detail: "a NotReady (KubeletNotReady)",
    });
    expect(checkNodeReady([node("b"), node("a")], "a")).toEqual({ ok: true, detail: "a Ready" });
    expect(checkNodeReady([node("b", { ready: false }), node("a")], "a").ok).toBe(true);
  });

  it("cordons: none passes; every cordoned node is named", () => {
    expect(checkNoneCordoned([node("a"), node("b")])).toEqual({ ok: true, detail: "no node cordoned" });
    expect(checkNoneCordoned([node("a", { unschedulable: true }), node("b", { unschedulable: true })]).detail).toBe(
      "cordoned: a, b (a drain or upgrade is in progress)",
    );
  });

  it("pods: exactly five are listed without an ellipsis, a sixth adds one", () => {
    // pods-running became pods-healthy: Pending/Unknown still count as unhealthy, the list is still cut at five.
    const pods: KubePodState[] = Array.from({ length: 6 }, (_, index) => ({
      namespace: "kube-system",
      name: `p${index}`,
      phase: index % 2 === 0 ? "Pending" : "Unknown",
    }));
    expect(checkPodHealth(pods.slice(0, 5))).toEqual({
      ok: false,
      detail:
        "5 pod(s) unhealthy on nodes and in system namespaces: kube-system/p0 Pending, kube-system/p1 Unknown, kube-system/p2 Pending, kube-system/p3 Unknown, kube-system/p4 Pending",
    });
    expect(checkPodHealth(pods).detail).toMatch(/^6 pod\(s\) unhealthy .*, kube-system\/p4 Pending, …$/);
    expect(checkPodHealth([])).toEqual({ ok: true, detail: "pods on nodes and in system namespaces healthy (0 pods)" });
  });

  it("kubelets: every node at the target, never an empty list; an empty version shows as ?", () => {
    expect(checkKubeletVersions([node("a"), node("b")], "v1.35.2")).toEqual({
      ok: true,
      detail: "every kubelet at v1.35.2",
    });
    expect(checkKubeletVersions([], "v1.35.2").ok).toBe(false);
    expect(checkKubeletVersions([node("a"), node("b", { kubeletVersion: "" })], "v1.35.2")).toEqual({
      ok: false,
      detail: "b at ?",
    });
  });
});

describe("gate wiring (makeGate)", () => {
  const talosctl = {
    version: async () => "v1.13.9",
    upgrade: async () => {},
    upgradeKubernetes: async () => {},
  } as unknown as Talosctl;
  const clients = (nodes: KubeNodeState[], pods: KubePodState[] = []): GateClients => ({
    talosctl,
    kube: { listNodes: async () => nodes, listPods: async () => pods },
    etcd: { endpoints: [], credentials: { ca: "", cert: "", key: "" } },
    checkTimeoutMs: 10_000,
  });
  const worker = { hostname: "w-1", address: "127.0.0.1", controlPlane: false };
  const cp = { hostname: "a", address: "127.0.0.1", controlPlane: true };

  it("each Kubernetes gate reads the cluster through its client", async () => {
    const c = clients(
      [node("a", { unschedulable: true }), node("b")],
      [{ namespace: "n", name: "p", node: "b", phase: "Pending" }],
    );
    expect(await makeGate("no-upgrade-in-progress", c, {}).check()).toEqual({
      ok: false,
      detail: "cordoned: a (a drain or upgrade is in progress)",
    });
    expect(await makeGate("kube-nodes-ready", c, { expectedNodes: ["a", "z"] }).check()).toEqual({
      ok: false,
      detail: "not registered in Kubernetes: z",
    });
    expect(await makeGate("kube-node-ready", c, { node: cp }).check()).toEqual({
      ok: false,
      detail: "a is Ready but still cordoned",
    });
    expect(await makeGate("pods-healthy", c, {}).check()).toEqual({
      ok: false,
      detail: "1 pod(s) unhealthy on nodes and in system namespaces: n/p Pending",
    });
    // With a node, only that node's pods (and system namespaces) block: the pod on b is reported, not blocking.
    expect(await makeGate("pods-healthy", c, { node: cp }).check()).toEqual({
      ok: true,
      detail: "pods on a and in system namespaces healthy (1 pods); not blocking: n/p Pending",
    });
    expect(await makeGate("kubelet-version", c, { kubernetes: "v1.36.0" }).check()).toEqual({
      ok: false,
      detail: "a at v1.35.2, b at v1.35.2",
    });
  });

  it("a gate missing its subject fails naming what it needs", async () => {
    const c = clients([node("a")]);
    expect(await makeGate("kube-node-ready", c, {}).check()).toEqual({
      ok: false,
      detail: "gate kube-node-ready needs a node",
    });
    expect(await makeGate("kubelet-version", c, {}).check()).toEqual({
      ok: false,
      detail: "gate kubelet-version needs a version",
    });
    expect(await makeGate("talos-version", c, { node: cp }).check()).toEqual({
      ok: false,
      detail: "gate talos-version needs a version",
    });
    for (const gate of ["etcd-quorum-without-node", "etcd-member-rejoined", "talos-version"] as const)
      expect(await makeGate(gate, c, { talos: "v1.13.9" }).check()).toEqual({
        ok: false,
        detail: `gate ${gate} needs a node`,
      });
  });

  it("etcd gates pass a worker without touching etcd, and fail a control plane when etcd is unreachable", async () => {
    const c = clients([]);
    for (const gate of ["etcd-quorum-without-node", "etcd-member-rejoined"] as const) {
      expect(await makeGate(gate, c, { node: worker }).check()).toEqual({
        ok: true,
        detail: "w-1 is not a control-plane node: no etcd member",
      });
      const result = await makeGate(gate, c, { node: cp }).check();
      expect(result.ok).toBe(false);
      expect(result.detail).toMatch(/^no etcd endpoint answered/);
    }
    for (const gate of ["etcd-members-healthy", "etcd-no-alarms"] as const) {
      expect((await makeGate(gate, c, {}).check()).detail).toMatch(/^no etcd endpoint answered/);
    }
  });

  it("talos-version asks the node's address with the call deadline (10 s unless given)", async () => {
    const calls: Array<[string, unknown]> = [];
    const recording = {
      ...talosctl,
      version: async (address: string, options: unknown) => {
        calls.push([address, options]);
        return "v1.13.9";
      },
    } as unknown as Talosctl;
    const subject = { node: { ...cp, address: "10.9.9.9" }, talos: "v1.13.9" };
    await makeGate("talos-version", { ...clients([]), talosctl: recording }, subject).check();
    await makeGate("talos-version", { ...clients([]), talosctl: recording, callTimeoutMs: 1234 }, subject).check();
    expect(calls).toEqual([
      ["10.9.9.9", { timeoutMs: 10_000 }],
      ["10.9.9.9", { timeoutMs: 1234 }],
    ]);
  });

  it("talos-version compares the node's tag with the target", async () => {
    const c = clients([]);
    expect(await makeGate("talos-version", c, { node: cp, talos: "v1.13.9" }).check()).toEqual({
      ok: true,
      detail: "a runs Talos v1.13.9",
    });
    expect(await makeGate("talos-version", c, { node: cp, talos: "v1.14.0" }).check()).toEqual({
      ok: false,
      detail: "a runs Talos v1.13.9, waiting for v1.14.0",
    });
  });

  it("every gate keeps its name", () => {
    const c = clients([]);
    expect(makeGate("pods-healthy", c, {}).name).toBe("pods-healthy");
  });
});

describe("gate polling", () => {
  // waitForGate reads its monotonic clock several times per attempt (budget, elapsed, after the pause), so the
  // fake clock moves only when a check takes time or the injected sleep pauses, never on a read.
  const fakeClock = () => {
    let now = 0;
    const spend = (ms: number) => {
      now += ms;
    };
    return { now: () => now, sleep: async (ms: number) => spend(ms), spend };
  };

  it("polls until a pass, reporting each failed attempt with the injected clock", async () => {
    let calls = 0;
    const clock = fakeClock();
    const seen: number[] = [];
    const result = await waitForGate(
      {
        name: "pods-healthy",
        check: async () => {
          clock.spend(10);
          return { ok: ++calls >= 3, detail: `try ${calls}` };
        },
      },
      { timeoutMs: 1000, intervalMs: 1, ...clock, onWait: (_result, elapsed) => seen.push(elapsed) },
    );
    expect(result).toEqual({ ok: true, detail: "try 3", elapsedMs: 32 });
    expect(seen).toEqual([10, 21]);
  });

  it("stops as soon as the elapsed time reaches the timeout (not one poll later)", async () => {
    let calls = 0;
    const clock = fakeClock();
    const result = await waitForGate(
      { name: "pods-healthy", check: async () => ({ ok: false, detail: `try ${++calls}` }) },
      { timeoutMs: 30, intervalMs: 10, ...clock },
    );
    expect(result).toEqual({ ok: false, detail: "try 3", elapsedMs: 30 });
  });

  it("stops at the timeout with the last failed result, the last pause cut to the time left", async () => {
    const clock = fakeClock();
    const result = await waitForGate(
      { name: "pods-healthy", check: async () => ({ ok: false, detail: "stuck" }) },
      { timeoutMs: 25, intervalMs: 10, ...clock },
    );
    expect(result).toEqual({ ok: false, detail: "stuck", elapsedMs: 25 });
  });

  it("guardCheck turns a throw (Error or not) into a failed result", async () => {
    expect(
      await guardCheck(async () => {
        throw new Error("boom");
      }),
    ).toEqual({ ok: false, detail: "boom" });
    expect(
      await guardCheck(async () => {
        throw "plain";
      }),
    ).toEqual({ ok: false, detail: "plain" });
    expect(await guardCheck(async () => ({ ok: true, detail: "fine" }), 5_000)).toEqual({ ok: true, detail: "fine" });
  });
});

describe("gate order", () => {
  it("the quorum gate runs before a Talos upgrade; the rejoin gate after it", () => {
    expect(TALOS_GATES_BEFORE).toEqual([
      "no-upgrade-in-progress",
      "kube-nodes-ready",
      "etcd-no-alarms",
      "etcd-members-healthy",
      "etcd-quorum-without-node",
      "pods-healthy",
    ]);
    expect(TALOS_GATES_AFTER).toEqual([
      "talos-version",
      "kube-node-ready",
      "etcd-member-rejoined",
      "etcd-members-healthy",
      "pods-healthy",
    ]);
    expect(KUBERNETES_GATES_BEFORE).toEqual([
      "no-upgrade-in-progress",
      "kube-nodes-ready",
      "etcd-no-alarms",
      "etcd-members-healthy",
      "pods-healthy",
    ]);
    expect(KUBERNETES_GATES_AFTER).toEqual([
      "kubelet-version",
      "kube-nodes-ready",
      "etcd-members-healthy",
      "pods-healthy",
    ]);
  });
});
