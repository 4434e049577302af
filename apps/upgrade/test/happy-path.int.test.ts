// Simulator: a staging cluster upgraded node by node, then Kubernetes via upgrade-k8s.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { installerImage } from "@kubeforge/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunEvent, readState, runUpgrade, UpgradeError } from "../src/index.js";
import { type Simulator, startSimulator } from "./simulator/simulator.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-upgrade-happy-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FAST = {
  pollIntervalMs: 150,
  timeouts: {
    "talos-version": 20_000,
    "kube-node-ready": 20_000,
    "etcd-member-rejoined": 20_000,
    "etcd-members-healthy": 20_000,
    "pods-healthy": 20_000,
    "kubelet-version": 20_000,
    upgrade: 20_000,
  },
};

async function failure(promise: Promise<unknown>): Promise<UpgradeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpgradeError) return error;
    throw error;
  }
  throw new Error("expected the run to fail");
}

// The staging run's state directory: its evidence is what the production run is promoted with.
const stagingDir = mkdtempSync(path.join(scratch, "kubeforge-upgrade-staging-"));

describe("happy path on staging", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      kubelet: "v1.34.8",
      targetKubernetes: "v1.35.2",
      // one node with its own extension: it must be upgraded with its own installer image
      nodeSchematics: { "sim-2": { extensions: ["siderolabs/intel-ucode"] } },
    });
    await sim.waitHealthy();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("upgrades three nodes one at a time in plan order, then Kubernetes, and records staging evidence", async () => {
    const state = stagingDir;
    const events: RunEvent[] = [];
    const result = await runUpgrade({
      cluster: sim.cluster,
      clients: sim.clients,
      stateFile: path.join(state, "sim.state.json"),
      evidenceDir: path.join(state, "evidence"),
      ...FAST,
      onEvent: (event) => events.push(event),
    });

    const plan = result.plan;
    expect(plan.steps.map((step) => `${step.kind} ${step.to}`)).toEqual(["talos v1.13.9", "kubernetes v1.35.2"]);
    const talosStep = plan.steps[0];
    if (talosStep?.kind !== "talos") throw new Error("expected a Talos step first");
    const order = talosStep.nodes.map((node) => node.hostname);
    // The etcd leader goes last.
    const leaderNote = talosStep.nodes.at(-1)?.note ?? "";
    expect(leaderNote).toContain("etcd leader");
    expect(sim.upgrades).toEqual(order);
    // each node gets the installer image of its own schematic, the one its machine config installs
    for (const node of sim.cluster.nodes) {
      expect(sim.upgradeImages[node.hostname]).toBe(installerImage(sim.cluster, { node, version: "v1.13.9" }));
    }
    expect(new Set(Object.values(sim.upgradeImages)).size).toBe(2);
    expect(sim.upgradeImages["sim-2"]).not.toBe(talosStep.image);
    expect(result.upgraded).toEqual([
      ...order,
      `kubernetes@${plan.steps[1]?.kind === "kubernetes" ? plan.steps[1].node.hostname : ""}`,
    ]);
    expect(sim.nodes.map((node) => [node.talos, node.kubelet])).toEqual([
      ["v1.13.9", "v1.35.2"],
      ["v1.13.9", "v1.35.2"],
      ["v1.13.9", "v1.35.2"],
    ]);

    // Strictly one node at a time: each node is done before the next one starts.
    const sequence = events
      .filter(
        (event) =>
          event.type === "node" &&
          event.step === "talos v1.13.9" &&
          (event.status === "start" || event.status === "done"),
      )
      .map((event) => (event.type === "node" ? `${event.status} ${event.node}` : ""));
    expect(sequence).toEqual(order.flatMap((node) => [`start ${node}`, `done ${node}`]));
    const quorumChecks = events.filter(
      (event) => event.type === "gate" && event.gate === "etcd-quorum-without-node" && event.status === "pass",
    );
    expect(quorumChecks.map((event) => (event.type === "gate" ? event.node : ""))).toEqual(order);
    // Never two nodes down at once.
    expect(sim.peakDown()).toBe(1);
    // Each upgrade really took the node's etcd member down, and the rejoin gate saw it back.
    expect(sim.etcdRestarts).toEqual(order);
    const rejoined = events.filter(
      (event) => event.type === "gate" && event.gate === "etcd-member-rejoined" && event.status === "pass",
    );
    expect(rejoined.map((event) => (event.type === "gate" ? event.node : ""))).toEqual(order);

    // The etcd snapshot came first, checked and stored 0600, with restore instructions.
    const backupEvent = events.findIndex((event) => event.type === "backup");
    const firstCommand = events.findIndex((event) => event.type === "command");
    expect(backupEvent).toBeGreaterThan(-1);
    expect(backupEvent).toBeLessThan(firstCommand);
    const backup = result.backup;
    if (!backup) throw new Error("no backup recorded");
    expect(statSync(backup.file).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(backup.file);
    expect(bytes.length).toBe(backup.bytes);
    expect(
      createHash("sha256")
        .update(bytes.subarray(0, bytes.length - 32))
        .digest("hex"),
    ).toBe(backup.sha256);
    expect(Number(backup.revision)).toBeGreaterThan(0);
    const restore = events.find((event) => event.type === "backup");
    expect(restore?.type === "backup" && restore.restore).toContain("bootstrap --recover-from=");

    const saved = await readState(path.join(state, "sim.state.json"));
    expect(saved?.backup).toEqual(backup);
    expect(saved?.status).toBe("done");
    expect(saved?.inFlight).toBeUndefined();
    const evidence = JSON.parse(readFileSync(path.join(state, "evidence", "sim.json"), "utf8"));
    expect(evidence).toMatchObject({
      cluster: "sim",
      environment: "staging",
      talos: "v1.13.9",
      kubernetes: "v1.35.2",
      healthy: true,
      identity: { etcdClusterId: expect.stringMatching(/^\d+$/), vip: "10.5.0.100" },
      signature: { algorithm: "ed25519" },
    });
  });

  it("a second run has nothing to do and touches no node", async () => {
    const state = mkdtempSync(path.join(scratch, "kubeforge-upgrade-state-"));
    const before = sim.upgrades.length;
    const result = await runUpgrade({
      cluster: sim.cluster,
      clients: sim.clients,
      stateFile: path.join(state, "sim.state.json"),
      evidenceDir: path.join(state, "evidence"),
      ...FAST,
    });
    expect(result.plan.steps).toEqual([]);
    expect(sim.upgrades.length).toBe(before);
  });
});

describe("promotion gate on production", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ name: "prod", environment: "production", downMs: 600 });
    await sim.waitHealthy();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  const run = (extra: Partial<Parameters<typeof runUpgrade>[0]>, evidenceDir: string) =>
    runUpgrade({
      cluster: sim.cluster,
      clients: sim.clients,
      stateFile: path.join(mkdtempSync(path.join(scratch, "kubeforge-upgrade-prod-")), "prod.state.json"),
      evidenceDir,
      ...FAST,
      ...extra,
    });

  it("is refused before staging has run the target versions, touching nothing", async () => {
    const empty = mkdtempSync(path.join(scratch, "kubeforge-upgrade-empty-"));
    const error = await failure(run({}, path.join(empty, "evidence")));
    expect(error.code).toBe("E_PROMOTION");
    expect(error.message).toContain("Talos v1.13.9 / Kubernetes v1.35.2");
    expect(sim.upgrades).toEqual([]);
  });

  it("refuses forged, stale, future and other-version evidence, naming the field, touching nothing", async () => {
    const { loadEvidenceKey, signEvidence } = await import("../src/evidence.js");
    const recorded = JSON.parse(readFileSync(path.join(stagingDir, "evidence", "sim.json"), "utf8"));
    const { signature: _signature, ...body } = recorded;
    const key = await loadEvidenceKey(path.join(stagingDir, "evidence-signing.key"));
    const cases: [string, unknown, RegExp][] = [
      ["forged", { ...recorded, recordedAt: "2099-01-01T00:00:00.000Z" }, /signature: does not match the content/],
      ["stale", signEvidence({ ...body, recordedAt: "2020-01-01T00:00:00.000Z" }, key), /recordedAt: 2020-.* older/],
      ["future", signEvidence({ ...body, recordedAt: "2099-01-01T00:00:00.000Z" }, key), /recordedAt: 2099-.* future/],
      ["other-version", signEvidence({ ...body, talos: "v1.12.11" }, key), /talos: v1.12.11, not the target/],
      ["no-nodes", signEvidence({ ...body, nodes: [] }, key), /nodes: empty/],
    ];
    for (const [name, evidence, message] of cases) {
      const dir = mkdtempSync(path.join(scratch, `kubeforge-upgrade-${name}-`));
      writeFileSync(path.join(dir, "sim.json"), JSON.stringify(evidence));
      const error = await failure(run({ evidenceKey: path.join(stagingDir, "evidence-signing.key") }, dir));
      expect(error.code).toBe("E_PROMOTION");
      expect(error.message).toMatch(message);
    }
    expect(sim.upgrades).toEqual([]);
  });

  it("--force demands a reason, and records it", async () => {
    const empty = mkdtempSync(path.join(scratch, "kubeforge-upgrade-empty-"));
    const error = await failure(run({ force: { reason: "  " } }, empty));
    expect(error.code).toBe("E_PROMOTION");
    expect(error.message).toContain("reason");
    const events: RunEvent[] = [];
    const result = await run(
      { force: { reason: "staging is being rebuilt" }, dryRun: true, onEvent: (event) => events.push(event) },
      empty,
    );
    expect(result.dryRun).toBe(true);
    expect(events).toContainEqual({
      type: "promotion",
      ok: true,
      detail: "promotion gate skipped with --force: staging is being rebuilt",
    });
    expect(sim.upgrades).toEqual([]);
  });

  it("goes ahead with the evidence the staging run recorded", async () => {
    const events: RunEvent[] = [];
    const result = await run({ onEvent: (event) => events.push(event) }, path.join(stagingDir, "evidence"));
    const promotion = events.find((event) => event.type === "promotion");
    expect(promotion).toMatchObject({ ok: true });
    expect(promotion?.type === "promotion" && promotion.detail).toContain("staging cluster sim recorded healthy");
    expect(result.upgraded).toHaveLength(3);
    expect(sim.nodes.every((node) => node.talos === "v1.13.9")).toBe(true);
  });
});
