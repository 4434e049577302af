// Simulator: two runs of the same cluster from two folders while kube-vip's VIP Lease moves between their
// starts. The cluster lock (a Lease in kube-system) lets exactly one run go; no two nodes are ever down.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUpgrade, UpgradeError } from "../src/index.js";
import { RUN_LEASE } from "../src/lock/cluster-lease.js";
import { type Simulator, startSimulator } from "./simulator/simulator.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-upgrade-concurrency-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FAST = {
  pollIntervalMs: 100,
  // long enough that a starved event loop on a loaded CI machine never loses the lock mid-run (it is released
  // explicitly at the end, so nothing here waits for it to expire)
  leaseSeconds: 20,
  timeouts: {
    "talos-version": 30_000,
    "kube-node-ready": 30_000,
    "etcd-member-rejoined": 30_000,
    "etcd-members-healthy": 30_000,
    "pods-healthy": 30_000,
    upgrade: 30_000,
  },
};

const folder = () => mkdtempSync(path.join(scratch, "kubeforge-upgrade-folder-"));

describe("two runs at once", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ downMs: 800, drainMs: 200 });
    await sim.waitHealthy();
  }, 180_000);
  afterAll(async () => {
    await sim?.stop();
  }, 180_000);

  it("the second run is refused by the cluster lock; each node is upgraded once, never two down", async () => {
    sim.kube.leases.set("kube-system/plndr-cp-lock", "sim-1");
    // An unrelated pod that cannot be scheduled is reported, never blocking (before: it refused the run).
    sim.pods.push({ namespace: "apps", name: "batch-0", node: "", phase: "Pending" });
    const a = folder();
    const first = runUpgrade({
      cluster: sim.cluster,
      clients: sim.clients,
      stateFile: path.join(a, "sim.state.json"),
      evidenceDir: path.join(a, "evidence"),
      ...FAST,
    });
    const outcome = first.then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    while (sim.upgrades.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    // The VIP moves between the two starts (this reordered the second run's plan before the cluster lock).
    sim.kube.leases.set("kube-system/plndr-cp-lock", "sim-3");
    const lease = sim.kube.leaseObjects.get(`${RUN_LEASE.namespace}/${RUN_LEASE.name}`);
    expect(lease?.spec.holderIdentity).toMatch(/\/\d+\//);

    const b = folder();
    const second = await runUpgrade({
      cluster: sim.cluster,
      clients: sim.clients,
      stateFile: path.join(b, "sim.state.json"),
      evidenceDir: path.join(b, "evidence"),
      ...FAST,
    }).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(UpgradeError);
    expect((second as UpgradeError).code).toBe("E_LOCKED");
    expect((second as UpgradeError).message).toContain("kube-system/kubeforge-upgrade");

    const done = await outcome;
    if ("error" in done) throw done.error;
    expect([...sim.upgrades].sort()).toEqual(["sim-1", "sim-2", "sim-3"]);
    expect(sim.peakDown()).toBe(1);
    // Released by its owner at the end.
    expect(sim.kube.leaseObjects.has(`${RUN_LEASE.namespace}/${RUN_LEASE.name}`)).toBe(false);
  });
});
