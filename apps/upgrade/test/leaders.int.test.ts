// Simulator: a two-stop Talos upgrade (v1.11 → v1.12 → v1.13). Leadership moves when the last node of the
// first stop reboots, so the second stop must be ordered by who leads then, not by the plan's snapshot.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectEtcd, type RunEvent, runUpgrade } from "../src/index.js";
import { type Simulator, startSimulator } from "./simulator/simulator.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-upgrade-leaders-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FAST = {
  pollIntervalMs: 150,
  timeouts: {
    "talos-version": 20_000,
    "kube-node-ready": 20_000,
    "etcd-member-rejoined": 20_000,
    "etcd-members-healthy": 20_000,
    "pods-healthy": 20_000,
    upgrade: 20_000,
  },
};

describe("etcd leader and VIP holder go last in every Talos stop", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      talos: "v1.11.6",
      targetTalos: "v1.13.9",
      kubelet: "v1.34.8",
      targetKubernetes: "v1.34.8",
      downMs: 800,
    });
    await sim.waitHealthy();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("re-reads the leaders before each stop", { timeout: 120_000 }, async () => {
    const leader = (await inspectEtcd(sim.clients.etcd)).leader;
    const names = sim.cluster.nodes.map((node) => node.hostname);
    const vipHolder = names.find((name) => name !== leader) as string;
    sim.kube.leases.set("kube-system/plndr-cp-lock", vipHolder);

    const events: RunEvent[] = [];
    let doneCount = 0;
    let leaderAtSecondStop: Promise<string | undefined> | undefined;
    const dir = mkdtempSync(path.join(scratch, "kubeforge-upgrade-leaders-"));
    const result = await runUpgrade({
      cluster: sim.cluster,
      clients: sim.clients,
      stateFile: path.join(dir, "sim.state.json"),
      evidenceDir: path.join(dir, "evidence"),
      ...FAST,
      onEvent: (event) => {
        events.push(event);
        if (event.type === "node" && event.status === "done" && ++doneCount === 3) {
          leaderAtSecondStop = inspectEtcd(sim.clients.etcd).then((snapshot) => snapshot.leader);
        }
      },
    });

    expect(result.plan.steps.map((step) => `${step.kind} ${step.to}`)).toEqual(["talos v1.12.11", "talos v1.13.9"]);
    expect(sim.upgrades).toHaveLength(6);
    const [first, second] = [sim.upgrades.slice(0, 3), sim.upgrades.slice(3)];
    // First stop: the one node that neither leads etcd nor holds the VIP goes first.
    expect(first[0]).toBe(names.find((name) => name !== leader && name !== vipHolder));
    expect(first.slice(1).sort()).toEqual([leader, vipHolder].sort());
    // Second stop: whoever leads etcd after the first stop (not the old leader) is not upgraded before the others.
    const newLeader = await leaderAtSecondStop;
    expect(newLeader).toBeDefined();
    expect(second[0]).not.toBe(newLeader);
    expect(second[0]).not.toBe(vipHolder);
    const orders = events.flatMap((event) => (event.type === "order" ? [event] : []));
    expect(orders.map((event) => event.nodes)).toEqual([first, second]);
    expect(orders[1]?.detail).toContain(`${newLeader} (etcd leader`);
  });
});
