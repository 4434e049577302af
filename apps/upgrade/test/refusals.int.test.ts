// Simulator: gates that refuse before anything is touched, and a node that does not come back.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Etcd3 } from "etcd3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readState, runUpgrade, UpgradeError } from "../src/index.js";
import { type Simulator, startSimulator } from "./simulator/simulator.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-upgrade-refusals-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FAST = {
  pollIntervalMs: 100,
  timeouts: {
    "talos-version": 15_000,
    "kube-node-ready": 15_000,
    "etcd-member-rejoined": 15_000,
    "etcd-members-healthy": 15_000,
    "pods-healthy": 15_000,
    upgrade: 4_000,
  },
};

function paths() {
  const dir = mkdtempSync(path.join(scratch, "kubeforge-upgrade-state-"));
  return { stateFile: path.join(dir, "sim.state.json"), evidenceDir: path.join(dir, "evidence") };
}

async function failure(promise: Promise<unknown>): Promise<UpgradeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpgradeError) return error;
    throw error;
  }
  throw new Error("expected the run to fail");
}

describe("refused before touching anything", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ downMs: 600 });
    await sim.waitHealthy();
  });
  afterAll(async () => {
    await sim?.stop();
  });
  afterEach(async () => {
    sim.etcd.start(1);
    await sim.waitHealthy();
  });

  it("an etcd member already down: E_PRECHECK naming the member, no talosctl upgrade, failure recorded", async () => {
    await sim.etcd.stop(1);
    const files = paths();
    const error = await failure(runUpgrade({ cluster: sim.cluster, clients: sim.clients, ...files, ...FAST }));
    expect(error.code).toBe("E_PRECHECK");
    expect(error.gate).toBe("etcd-members-healthy");
    expect(error.message).toContain("sim-2");
    expect(sim.upgrades).toEqual([]);
    const state = await readState(files.stateFile);
    expect(state?.status).toBe("failed");
    expect(state?.failure).toMatchObject({ code: "E_PRECHECK", gate: "etcd-members-healthy" });
    expect(state?.completed).toEqual([]);
  });

  it("an etcd alarm: E_PRECHECK at etcd-no-alarms", async () => {
    const client = new Etcd3({
      hosts: [...sim.etcd.endpoints],
      credentials: {
        rootCertificate: Buffer.from(sim.clients.etcd.credentials.ca),
        certChain: Buffer.from(sim.clients.etcd.credentials.cert),
        privateKey: Buffer.from(sim.clients.etcd.credentials.key),
      },
    });
    const { header } = await client.maintenance.status();
    try {
      await client.maintenance.alarm({ action: "Activate", memberID: header.member_id, alarm: "Nospace" });
      const error = await failure(runUpgrade({ cluster: sim.cluster, clients: sim.clients, ...paths(), ...FAST }));
      expect(error.code).toBe("E_PRECHECK");
      expect(error.gate).toBe("etcd-no-alarms");
      expect(error.message).toContain("Nospace");
      expect(sim.upgrades).toEqual([]);
    } finally {
      await client.maintenance.alarm({ action: "Deactivate", memberID: header.member_id, alarm: "Nospace" });
      client.close();
    }
  });

  it("a cordoned node (a drain in progress): E_PRECHECK at no-upgrade-in-progress", async () => {
    const node = sim.nodes[2];
    if (!node) throw new Error("no node");
    node.unschedulable = true;
    try {
      const error = await failure(runUpgrade({ cluster: sim.cluster, clients: sim.clients, ...paths(), ...FAST }));
      expect(error.code).toBe("E_PRECHECK");
      expect(error.gate).toBe("no-upgrade-in-progress");
      expect(error.message).toContain("sim-3");
      expect(sim.upgrades).toEqual([]);
    } finally {
      node.unschedulable = false;
    }
  });

  it("a node whose Talos machine stage is upgrading (Ready, not yet drained): E_PRECHECK naming it", async () => {
    const node = sim.nodes[1];
    if (!node) throw new Error("no node");
    node.stage = "upgrading";
    try {
      const error = await failure(runUpgrade({ cluster: sim.cluster, clients: sim.clients, ...paths(), ...FAST }));
      expect(error.code).toBe("E_PRECHECK");
      expect(error.gate).toBe("no-upgrade-in-progress");
      expect(error.message).toContain("sim-2: Talos machine stage is upgrading");
      expect(sim.upgrades).toEqual([]);
    } finally {
      node.stage = "running";
    }
  });

  it("a system pod crash-looping (phase Running): E_PRECHECK at pods-healthy, before the first node is drained", async () => {
    sim.pods.push({
      namespace: "kube-system",
      name: "coredns-0",
      node: "sim-3",
      phase: "Running",
      ready: false,
      waiting: "CrashLoopBackOff",
      restarts: 9,
    });
    try {
      const error = await failure(runUpgrade({ cluster: sim.cluster, clients: sim.clients, ...paths(), ...FAST }));
      expect(error.code).toBe("E_PRECHECK");
      expect(error.gate).toBe("pods-healthy");
      expect(error.message).toContain("kube-system/coredns-0 CrashLoopBackOff, 9 restart(s)");
      expect(sim.upgrades).toEqual([]);
    } finally {
      sim.pods.pop();
    }
  });

  it("a failed etcd snapshot: E_BACKUP before any node is touched", async () => {
    const files = paths();
    // A file where the backup folder should be: the snapshot cannot be stored (no timing involved).
    const backupDir = path.join(path.dirname(files.stateFile), "not-a-folder");
    writeFileSync(backupDir, "");
    const error = await failure(
      runUpgrade({ cluster: sim.cluster, clients: sim.clients, ...files, ...FAST, backupDir }),
    );
    expect(error.code).toBe("E_BACKUP");
    expect(error.message).toContain("cannot store the etcd snapshot");
    expect(sim.upgrades).toEqual([]);
    expect((await readState(files.stateFile))?.failure?.code).toBe("E_BACKUP");
  });

  it("a model node missing from Kubernetes: E_PRECHECK naming it", async () => {
    const removed = sim.nodes.splice(2, 1);
    try {
      const error = await failure(runUpgrade({ cluster: sim.cluster, clients: sim.clients, ...paths(), ...FAST }));
      expect(error.code).toBe("E_PRECHECK");
      expect(error.node).toBe("sim-3");
      expect(error.message).toBe("sim-3 is in the model but not registered in Kubernetes");
      expect(sim.upgrades).toEqual([]);
    } finally {
      sim.nodes.splice(2, 0, ...removed);
    }
  });
});

describe("a node that does not come back", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ downMs: 600, neverReturnNth: 2 });
    await sim.waitHealthy();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("stops at that node, names it, and never touches the next one", async () => {
    const files = paths();
    const error = await failure(runUpgrade({ cluster: sim.cluster, clients: sim.clients, ...files, ...FAST }));
    const [first, second] = sim.upgrades;
    expect(sim.upgrades).toHaveLength(2);
    expect(error.code).toBe("E_UPGRADE");
    expect(error.node).toBe(second);
    expect(error.message).toContain("timeout waiting for the node");
    const state = await readState(files.stateFile);
    expect(state?.status).toBe("failed");
    expect(state?.failure?.node).toBe(second);
    expect(state?.inFlight).toMatchObject({ node: second, phase: "upgrading" });
    expect(state?.completed.map((done) => done.node)).toEqual([first]);
  });
});

describe("a node that rolls back", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ downMs: 600, rollbackNth: 2 });
    await sim.waitHealthy();
  }, 180_000);
  afterAll(async () => {
    await sim?.stop();
  }, 180_000);

  it("is named as rolled back, stops the run, and blocks later runs until --retry-node names it", async () => {
    const files = paths();
    const SLOW = { ...FAST, timeouts: { ...FAST.timeouts, upgrade: 20_000 } };
    const error = await failure(runUpgrade({ cluster: sim.cluster, clients: sim.clients, ...files, ...SLOW }));
    const [, second] = sim.upgrades;
    expect(error.code).toBe("E_ROLLBACK");
    expect(error.node).toBe(second);
    expect(error.message).toContain("rolled back");
    expect(sim.upgrades).toHaveLength(2);

    // Before: the next run upgraded it again silently.
    const again = await failure(runUpgrade({ cluster: sim.cluster, clients: sim.clients, ...files, ...SLOW }));
    expect(again.code).toBe("E_ROLLBACK");
    expect(again.hint).toContain(`--retry-node ${second}`);
    expect(sim.upgrades).toHaveLength(2);

    const result = await runUpgrade({
      cluster: sim.cluster,
      clients: sim.clients,
      ...files,
      ...SLOW,
      retryNode: second,
    });
    expect(sim.upgrades[2]).toBe(second);
    expect(result.upgraded).toContain(second);
    expect(sim.nodes.every((node) => node.talos === "v1.13.9")).toBe(true);
    expect(sim.peakDown()).toBe(1);
  });
});
