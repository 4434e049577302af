// Simulator: talosctl upgrade's LifecycleService path (1.13+ client and node) runs pull, install, drain,
// reboot and uncordon one after the other, each with its own deadline. A slow pull and drain plus the reboot
// outlast `--timeout + 10 s` (the old kill deadline); the run must let talosctl finish so that its deferred
// uncordon runs, and no node may be left cordoned.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunEvent, runUpgrade, UpgradeError } from "../src/index.js";
import { type Simulator, type SimulatorOptions, startSimulator } from "./simulator/simulator.js";

const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-upgrade-phases-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const GATES = 60_000;

/** A simulator for the tests of one describe block: started before them, stopped after. */
function useSimulator(options: SimulatorOptions): () => Simulator {
  let sim: Simulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ talos: "v1.13.0", targetTalos: "v1.13.9", downMs: 1000, ...options });
    await sim.waitHealthy();
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });
  return () => {
    if (!sim) throw new Error("the simulator did not start");
    return sim;
  };
}

/** runUpgrade's options for `sim` with a state folder of its own: generous gates, talosctl's own deadlines as given. */
function runOptions(sim: Simulator, talosctl: { drain: number }) {
  const dir = mkdtempSync(path.join(scratch, "run-"));
  return {
    cluster: sim.cluster,
    clients: sim.clients,
    stateFile: path.join(dir, "sim.state.json"),
    evidenceDir: path.join(dir, "evidence"),
    pollIntervalMs: 150,
    timeouts: {
      "talos-version": GATES,
      "kube-node-ready": GATES,
      "etcd-member-rejoined": GATES,
      "etcd-members-healthy": GATES,
      "pods-healthy": GATES,
      "kubelet-version": GATES,
      upgrade: 4000,
      drain: talosctl.drain,
      "image-pull": 30_000,
    },
  };
}

describe("talosctl upgrade's separate phase deadlines (LifecycleService path)", () => {
  // The first node: a 9 s image pull and a 6 s drain, then the reboot. Alone they outlast the old kill
  // deadline of --timeout (4 s) + 10 s, while each phase stays inside its own talosctl deadline.
  const simulator = useSimulator({ slowNth: 1, pullMs: 9000, evictMs: 6000, shutdownMs: 300 });

  it("lets a slow pull + drain + reboot finish: every node upgraded and uncordoned by talosctl", async () => {
    const sim = simulator();
    const events: RunEvent[] = [];
    const result = await runUpgrade({
      ...runOptions(sim, { drain: 20_000 }),
      onEvent: (event) => events.push(event),
    });
    const lines = events.flatMap((event) => (event.type === "command" && event.line ? [event.line] : []));
    expect(result.upgraded).toEqual(sim.upgrades);
    expect(sim.upgrades).toHaveLength(3);
    expect(sim.nodes.map((node) => node.talos)).toEqual(["v1.13.9", "v1.13.9", "v1.13.9"]);
    // talosctl itself uncordoned every node after its reboot: none is left cordoned.
    expect([...sim.uncordons].sort()).toEqual(["sim-1", "sim-2", "sim-3"]);
    expect(sim.nodes.filter((node) => node.unschedulable)).toEqual([]);
    // The fake went the LifecycleService way (pull, drain, uncordon), with our --drain-timeout accepted.
    expect(lines.some((line) => line.includes(": pulling "))).toBe(true);
    expect(lines.some((line) => line.includes(": uncordoned"))).toBe(true);
    expect(sim.peakDown()).toBe(1);
  });

  it("reports the machine stage Talos spells with a space", async () => {
    const sim = simulator();
    const node = sim.nodes[0];
    if (!node) throw new Error("no node");
    const before = node.stage;
    node.stage = "shutting down";
    try {
      expect(await sim.clients.talosctl.machineStage?.(node.address, { timeoutMs: 10_000 })).toBe("shutting down");
    } finally {
      node.stage = before;
    }
  });
});

describe("a drain that fails inside talosctl (LifecycleService path)", () => {
  // The first node's pods never finish evicting within --drain-timeout: talosctl's drain fails after its cordon.
  const simulator = useSimulator({ slowNth: 1, evictMs: 600_000 });

  it("names the cordoned node, how to uncordon it, and that it did not reboot", async () => {
    const sim = simulator();
    const error = await runUpgrade(runOptions(sim, { drain: 1000 })).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UpgradeError);
    const failed = error as UpgradeError;
    const [node] = sim.upgrades;
    expect(node).toBeDefined();
    expect(failed.code).toBe("E_UPGRADE");
    expect(failed.message).toContain(`error draining node "${node}"`);
    // Before: only the generic "look at talosctl dmesg / logs" hint.
    expect(failed.hint).toContain(`${node} is left cordoned`);
    expect(failed.hint).toContain(`\`kubectl get node ${node}\``);
    expect(failed.hint).toContain(`\`kubectl uncordon ${node}\``);
    expect(failed.hint).toContain(`did not reboot ${node}`);
    // As the hint says: talosctl left it cordoned, never uncordoned it, and the node was not rebooted.
    expect(sim.nodes.find((candidate) => candidate.hostname === node)?.unschedulable).toBe(true);
    expect(sim.uncordons).toEqual([]);
    expect(sim.upgrades).toHaveLength(1);
  }, 120_000);
});
