// @ts-nocheck
// Which check each gate runs and what it reads, with etcd's snapshot injected (inspectEtcd mocked): the etcd
// gates all fail alike when etcd is unreachable, so only a real snapshot shows a gate running the wrong check.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Talosctl } from "../talosctl.js";
import type { EtcdMemberState, EtcdSnapshot } from "./etcd.js";
import { type GateClients, makeGate } from "./index.js";
import type { KubeNodeState } from "./nodes.js";

const etcd = vi.hoisted(() => ({ snapshot: undefined as EtcdSnapshot | undefined }));
vi.mock("./etcd.js", async (importOriginal) => ({
  ...(await importOriginal<typeof import("./etcd.js")>()),
  inspectEtcd: async () => etcd.snapshot,
}));

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
const talosctl = { version: async () => "v1.13.9" } as unknown as Talosctl;
const clients = (extra: Partial<GateClients> = {}): GateClients => ({
  talosctl,
  kube: { listNodes: async () => [node("a"), node("b"), node("c")], listPods: async () => [] },
  etcd: { endpoints: [], credentials: { ca: "", cert: "", key: "" } },
  checkTimeoutMs: 10_000,
  ...extra,
});
const cp = { hostname: "a", address: "10.0.0.1", controlPlane: true };

describe("etcd gates run their own check on etcd's snapshot", () => {
  beforeEach(() => {
    // a and b healthy, c down with a NOSPACE alarm: each etcd gate answers differently.
    etcd.snapshot = {
      members: [member("a"), member("b"), member("c", { healthy: false, problem: "down" })],
      alarms: [{ memberId: "id-c", alarm: "NOSPACE" }],
    };
  });

  it("etcd-members-healthy names the down member (not the alarm)", async () => {
    expect(await makeGate("etcd-members-healthy", clients(), {}).check()).toEqual({ ok: false, detail: "c: down" });
  });

  it("etcd-no-alarms names the alarm and its member", async () => {
    expect(await makeGate("etcd-no-alarms", clients(), {}).check()).toEqual({
      ok: false,
      detail: "alarms raised: NOSPACE on c",
    });
  });

  it("etcd-quorum-without-node refuses a node whose loss leaves one healthy member of three", async () => {
    expect(await makeGate("etcd-quorum-without-node", clients(), { node: cp }).check()).toEqual({
      ok: false,
      detail: "1 healthy member(s) besides a, quorum is 2 of 3",
    });
  });

  it("etcd-member-rejoined passes once the node's own member is back, whatever the others do", async () => {
    expect(await makeGate("etcd-member-rejoined", clients(), { node: cp }).check()).toEqual({
      ok: true,
      detail: "a rejoined and is healthy",
    });
  });
});

describe("no-upgrade-in-progress reads every model node's Talos machine stage", () => {
  const modelNodes = [
    { hostname: "a", address: "10.0.0.1" },
    { hostname: "b", address: "10.0.0.2" },
    { hostname: "c", address: "10.0.0.3" },
  ];
  const staged = (stages: Record<string, string | Error>, calls: unknown[] = []) =>
    ({
      ...talosctl,
      machineStage: async (address: string, options: unknown) => {
        calls.push([address, options]);
        const stage = stages[address];
        if (stage instanceof Error) throw stage;
        return stage;
      },
    }) as unknown as Talosctl;

  it("passes when every stage is running, asking each node's address with the call deadline", async () => {
    const calls: unknown[] = [];
    const running = staged({ "10.0.0.1": "running", "10.0.0.2": "running", "10.0.0.3": "running" }, calls);
    expect(await makeGate("no-upgrade-in-progress", clients({ talosctl: running }), { modelNodes }).check()).toEqual({
      ok: true,
      detail: "no node cordoned, 3 machine stage(s) running",
    });
    expect(calls).toEqual(modelNodes.map((entry) => [entry.address, { timeoutMs: 10_000 }]));
    calls.length = 0;
    await makeGate("no-upgrade-in-progress", clients({ talosctl: running, callTimeoutMs: 1234 }), {
      modelNodes,
    }).check();
    expect(calls).toEqual(modelNodes.map((entry) => [entry.address, { timeoutMs: 1234 }]));
  });

  it("refuses naming each busy node: one upgrading, one whose stage cannot be read", async () => {
    const busy = staged({
      "10.0.0.1": "running",
      "10.0.0.2": "upgrading",
      "10.0.0.3": new Error("connection refused"),
    });
    expect(await makeGate("no-upgrade-in-progress", clients({ talosctl: busy }), { modelNodes }).check()).toEqual({
      ok: false,
      detail:
        "b: Talos machine stage is upgrading (an upgrade or reboot is in progress); c: Talos machine stage unknown (connection refused)",
    });
  });

  it("without model nodes, or with a talosctl that cannot read stages, only cordons count", async () => {
    const busy = staged({});
    expect(await makeGate("no-upgrade-in-progress", clients({ talosctl: busy }), {}).check()).toEqual({
      ok: true,
      detail: "no node cordoned, 0 machine stage(s) running",
    });
    expect(await makeGate("no-upgrade-in-progress", clients(), { modelNodes }).check()).toEqual({
      ok: true,
      detail: "no node cordoned, 0 machine stage(s) running",
    });
  });
});
