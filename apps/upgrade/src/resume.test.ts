// Resuming after kill -9: the node in flight is settled before anything else. Its orphaned talosctl is waited
// for (or stopped at the upgrade timeout), a node still busy is waited for, a rebooted node must pass its after
// gates, and a node that never rebooted is handed back to be upgraded first. No other node is ever touched here.
import { type ChildProcess, spawn } from "node:child_process";
import type { Cluster } from "@kubeforge/config";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UpgradeError } from "./errors.js";
import type { RunEvent } from "./events.js";
import type { EtcdSnapshot } from "./gates/etcd.js";
import type { KubeNodeState } from "./gates/nodes.js";
import type { Outcome } from "./node-upgrade.js";
import { processAlive, recordProcess } from "./orphan.js";
import { busyStage, recheckInFlight } from "./resume.js";
import type { InFlight, UpgradeState } from "./state.js";
import type { StepContext } from "./steps.js";
import { MACHINE_STAGES, parseMachineStage, type Talosctl, type TalosctlRunOptions } from "./talosctl.js";
import { DEFAULT_TIMEOUTS } from "./timeouts.js";

// The etcd gates read a real cluster (inspectEtcd); here they see a healthy three-member snapshot.
const etcd = vi.hoisted(() => ({ snapshot: undefined as EtcdSnapshot | undefined }));
vi.mock("./gates/etcd.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./gates/etcd.js")>();
  return {
    ...actual,
    inspectEtcd: async () => {
      if (!etcd.snapshot) throw new Error("etcd unreachable");
      return etcd.snapshot;
    },
  };
});

const MODEL = [
  { hostname: "cp-1", address: "10.0.0.11", controlPlane: true },
  { hostname: "cp-2", address: "10.0.0.12", controlPlane: true },
  { hostname: "cp-3", address: "10.0.0.13", controlPlane: true },
];
const cluster = { name: "lab", nodes: MODEL } as unknown as Cluster;
const TARGET = "v1.13.9";
const OLD = "v1.13.2";

/** One look at the node in flight: its machine stage and boot ID (an Error: the call fails). */
interface Look {
  readonly stage?: string | Error;
  readonly boot: string | Error;
}

/** A scripted cluster: the node in flight goes through `looks` (the last one stays); the others are fine. */
function world(options: {
  looks?: readonly Look[];
  version?: string;
  kubelet?: string;
  noStage?: boolean;
  ready?: boolean;
  /** Read the stage the way the real wrapper does: from `talosctl get machinestatus -o json` output. */
  stageJson?: boolean;
}) {
  const looks = options.looks ?? [{ stage: "running", boot: "boot-2" }];
  let look = 0;
  const calls: { command: string; address: string; timeoutMs: number }[] = [];
  const current = () => looks[Math.min(look, looks.length - 1)] as Look;
  const answer = (value: string | Error | undefined) => {
    if (value instanceof Error) throw value;
    return value as string;
  };
  const talosctl: Talosctl = {
    async version(address: string, run: TalosctlRunOptions) {
      calls.push({ command: "version", address, timeoutMs: run.timeoutMs });
      return options.version ?? TARGET;
    },
    async upgrade(address: string) {
      calls.push({ command: "upgrade", address, timeoutMs: 0 });
    },
    async upgradeKubernetes(address: string) {
      calls.push({ command: "upgrade-k8s", address, timeoutMs: 0 });
    },
    ...(options.noStage
      ? {}
      : {
          async machineStage(address: string, run: TalosctlRunOptions) {
            calls.push({ command: "stage", address, timeoutMs: run.timeoutMs });
            const stage = answer(current().stage);
            if (!options.stageJson) return stage;
            // The shape talosctl prints (spec.stage is MachineStage.MarshalText(), the enumer string).
            const output = JSON.stringify(
              { node: address, metadata: { namespace: "runtime", id: "machine" }, spec: { stage, status: {} } },
              null,
              4,
            );
            return parseMachineStage(output) as string;
          },
        }),
    async bootId(address: string, run: TalosctlRunOptions) {
      calls.push({ command: "boot", address, timeoutMs: run.timeoutMs });
      const { boot } = current();
      look += 1;
      return answer(boot);
    },
  };
  const nodes = (): KubeNodeState[] =>
    MODEL.map((node) => ({
      name: node.hostname,
      ready: options.ready ?? true,
      reason: "KubeletNotReady",
      unschedulable: false,
      kubeletVersion: options.kubelet ?? "v1.35.2",
    }));
  return { talosctl, kube: { listNodes: async () => nodes(), listPods: async () => [] }, calls };
}

function harness(
  scene: ReturnType<typeof world>,
  options: { clock?: () => number; callTimeoutMs?: number; onEvent?: (event: RunEvent) => void } = {},
) {
  const events: RunEvent[] = [];
  let state: UpgradeState = {
    version: 1,
    cluster: "lab",
    environment: "staging",
    target: { talos: TARGET, kubernetes: "v1.35.2" },
    status: "running",
    startedAt: "2026-11-30T00:00:00.000Z",
    updatedAt: "2026-11-30T00:00:00.000Z",
    completed: [],
  };
  const context: StepContext = {
    cluster,
    clients: {
      talosctl: scene.talosctl,
      kube: scene.kube,
      etcd: { endpoints: [], credentials: { ca: "", cert: "", key: "" } },
      checkTimeoutMs: 10_000,
      ...(options.callTimeoutMs ? { callTimeoutMs: options.callTimeoutMs } : {}),
    },
    timeouts: { ...DEFAULT_TIMEOUTS },
    pollIntervalMs: 1,
    clock: options.clock ?? (() => 0),
    emit: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
    update: async (change) => {
      state = change(state);
    },
  };
  return {
    context,
    events,
    get state() {
      return state;
    },
    details: () => events.flatMap((event) => (event.type === "resume" ? [event.detail] : [])),
  };
}

const inFlight = (extra: Partial<InFlight> = {}): InFlight => ({
  kind: "talos",
  to: TARGET,
  node: "cp-2",
  phase: "upgrading",
  since: "2026-11-30T00:01:00.000Z",
  bootId: "boot-1",
  ...extra,
});

const outcome = (): Outcome => ({ upgraded: [], skipped: [] });
/** A clock that moves one minute at every reading: timeouts run out after a known number of looks. */
const minutes = () => {
  let now = 0;
  return () => (now += 60_000);
};

const members = MODEL.map((node, index) => ({
  id: String(index + 1),
  name: node.hostname,
  clientURLs: [`https://${node.address}:2379`],
  isLearner: false,
  healthy: true,
}));

beforeEach(() => {
  etcd.snapshot = { members, alarms: [] };
});

describe("resume: the node in flight", () => {
  it("rebooted (new boot ID) at the target: after gates pass, it counts as done and is not upgraded again", async () => {
    const scene = world({ looks: [{ stage: "running", boot: "boot-2" }] });
    const run = harness(scene, { callTimeoutMs: 4321 });
    const result = outcome();
    expect(await recheckInFlight(run.context, inFlight(), result)).toEqual({});
    expect(result.upgraded).toEqual(["cp-2"]);
    expect(run.state.inFlight).toBeUndefined();
    expect(run.state.completed).toEqual([
      { kind: "talos", to: TARGET, node: "cp-2", skipped: false, at: expect.any(String) },
    ]);
    expect(scene.calls.filter((call) => call.command === "upgrade")).toEqual([]);
    // Only the node in flight is read, each call with the run's deadline.
    expect(new Set(scene.calls.map((call) => call.address))).toEqual(new Set(["10.0.0.12"]));
    expect(scene.calls.every((call) => call.timeoutMs === 4321)).toBe(true);
    expect(run.details()[0]).toBe(
      "cp-2 was in flight (talos v1.13.9, phase upgrading) when the last run stopped: re-checking it",
    );
    const gates = run.events.flatMap((event) =>
      event.type === "gate" ? [`${event.gate} ${event.status} ${event.node}`] : [],
    );
    expect(gates).toEqual([
      "kube-node-ready pass cp-2",
      "etcd-member-rejoined pass cp-2",
      "talos-version pass cp-2",
      "etcd-members-healthy pass cp-2",
      "pods-healthy pass cp-2",
    ]);
    expect(run.events.at(-1)).toMatchObject({
      type: "node",
      step: "talos v1.13.9",
      node: "cp-2",
      status: "done",
      detail: "finished after resume",
    });
  });

  it("calmly running on the same boot: its upgrade never started, so it goes first again (nothing marked done)", async () => {
    const scene = world({ looks: [{ stage: "running", boot: "boot-1" }] });
    const run = harness(scene);
    const result = outcome();
    expect(await recheckInFlight(run.context, inFlight(), result)).toEqual({ redo: "cp-2" });
    expect(result.upgraded).toEqual([]);
    expect(run.state.completed).toEqual([]);
    expect(scene.calls.map((call) => call.command)).toEqual(["stage", "boot"]);
    // Without a configured deadline each read still has one (10 s).
    expect(scene.calls.map((call) => call.timeoutMs)).toEqual([10_000, 10_000]);
    expect(run.details().at(-1)).toBe("cp-2 never rebooted: its upgrade did not start, so it goes first again");
  });

  it("busy (upgrading, rebooting, unreachable, no boot ID) is waited for until the new boot shows", async () => {
    const scene = world({
      looks: [
        { stage: "upgrading", boot: "boot-1" },
        { stage: "installing", boot: "boot-1" },
        { stage: "shutting down", boot: "boot-1" },
        { stage: "rebooting", boot: "boot-1" },
        { stage: new Error("connection refused"), boot: new Error("connection refused") },
        { stage: "booting", boot: "boot-1" },
        { stage: "running", boot: new Error("not yet") },
        { stage: "running", boot: "boot-2" },
      ],
    });
    const run = harness(scene);
    expect(await recheckInFlight(run.context, inFlight(), outcome())).toEqual({});
    expect(scene.calls.filter((call) => call.command === "boot")).toHaveLength(8);
    expect(run.details().filter((detail) => detail.startsWith("waiting for cp-2 to reboot"))).toEqual([
      "waiting for cp-2 to reboot (machine stage upgrading)",
      "waiting for cp-2 to reboot (machine stage installing)",
      "waiting for cp-2 to reboot (machine stage shutting down)",
      "waiting for cp-2 to reboot (machine stage rebooting)",
      "waiting for cp-2 to reboot (machine stage unreachable)",
      "waiting for cp-2 to reboot (machine stage booting)",
      "waiting for cp-2 to reboot (machine stage running)",
    ]);
    expect(scene.calls.some((call) => call.command === "upgrade")).toBe(false);
  });

  it("shutting down, as talosctl really prints it (with a space), is waited for: the upgrade is not redone", async () => {
    // Before the fix the stage regex stopped at the space ("shutting"), which was not busy: the resume
    // concluded "never rebooted" and upgraded the node a second time.
    const scene = world({
      stageJson: true,
      looks: [
        { stage: "shutting down", boot: "boot-1" },
        { stage: "running", boot: "boot-2" },
      ],
    });
    const run = harness(scene);
    const result = outcome();
    expect(await recheckInFlight(run.context, inFlight(), result)).toEqual({});
    expect(result.upgraded).toEqual(["cp-2"]);
    expect(run.details()).toContain("waiting for cp-2 to reboot (machine stage shutting down)");
    expect(scene.calls.some((call) => call.command === "upgrade")).toBe(false);
  });

  it("only running is calm: every other Talos machine stage counts as busy", () => {
    expect(MACHINE_STAGES.filter((stage) => !busyStage(stage))).toEqual(["running"]);
    expect(busyStage("shutting down")).toBe(true);
    expect(busyStage("some-new-stage")).toBe(true);
  });

  it("a talosctl without machine stages counts the node as busy: it waits, never redoes on a guess", async () => {
    const scene = world({ noStage: true, looks: [{ boot: "boot-1" }, { boot: "boot-2" }] });
    const run = harness(scene);
    expect(await recheckInFlight(run.context, inFlight(), outcome())).toEqual({});
    expect(run.details()).toContain("waiting for cp-2 to reboot (machine stage unreachable)");
  });

  it("still busy at the upgrade timeout: stops naming the node, the timeout and the stage; nothing else touched", async () => {
    const scene = world({ looks: [{ stage: "upgrading", boot: "boot-1" }] });
    const run = harness(scene, { clock: minutes() });
    const error = (await recheckInFlight(run.context, inFlight(), outcome()).catch((caught: unknown) => caught)) as
      | UpgradeError
      | undefined;
    expect(error).toBeInstanceOf(UpgradeError);
    expect(error).toMatchObject({
      code: "E_POSTCHECK",
      node: "cp-2",
      gate: "talos-version",
      message:
        "cp-2 was being upgraded by the interrupted run and has not rebooted within 1800s (machine stage upgrading)",
      hint: "look at the node's console; no other node was touched",
    });
    // 30 minutes of looks on a clock that moves a minute per reading: not one look fewer.
    expect(scene.calls.filter((call) => call.command === "boot").length).toBe(30);
    expect(new Set(scene.calls.map((call) => call.address))).toEqual(new Set(["10.0.0.12"]));
  });

  it("the default clock is the monotonic one: with no time to wait, a busy node stops the run at once", async () => {
    const scene = world({ looks: [{ stage: "rebooting", boot: "boot-1" }] });
    const run = harness(scene);
    const { clock: _injected, ...context } = run.context;
    await expect(
      recheckInFlight({ ...context, timeouts: { ...context.timeouts, upgrade: 0 } }, inFlight(), outcome()),
    ).rejects.toThrow("has not rebooted within 0s (machine stage rebooting)");
  });

  it("unreachable at the timeout says so", async () => {
    const scene = world({ looks: [{ stage: new Error("timeout"), boot: new Error("timeout") }] });
    const run = harness(scene, { clock: minutes() });
    await expect(recheckInFlight(run.context, inFlight(), outcome())).rejects.toThrow(
      "has not rebooted within 1800s (machine stage unreachable)",
    );
  });

  it("rebooted into an older version: Talos rolled it back, the run stops naming the node", async () => {
    const scene = world({ version: OLD });
    const run = harness(scene);
    await expect(recheckInFlight(run.context, inFlight(), outcome())).rejects.toMatchObject({
      code: "E_ROLLBACK",
      node: "cp-2",
      message: expect.stringContaining(`runs Talos ${OLD}, not ${TARGET}`),
    });
    expect(run.state.completed).toEqual([]);
  });

  it("rebooted into a newer version than the step is no rollback, but must still show the step's version", async () => {
    const scene = world({ version: "v1.14.0" });
    const run = harness(scene);
    // The talos-version gate wants exactly the step's version: a newer one fails there, it is not a rollback.
    run.context.timeouts["talos-version"] = 0;
    await expect(recheckInFlight(run.context, inFlight(), outcome())).rejects.toMatchObject({
      code: "E_POSTCHECK",
      gate: "talos-version",
    });
  });

  it("an unreadable version after the reboot is not taken for success", async () => {
    const scene = world({ version: "garbage" });
    const run = harness(scene);
    await expect(recheckInFlight(run.context, inFlight(), outcome())).rejects.toMatchObject({ code: "E_ROLLBACK" });
  });

  it("without a recorded boot ID, an old version means the upgrade never happened: it goes first again", async () => {
    const scene = world({ version: OLD });
    const run = harness(scene);
    expect(await recheckInFlight(run.context, inFlight({ bootId: undefined }), outcome())).toEqual({ redo: "cp-2" });
    // No boot ID to compare: the reboot wait is skipped, the after gates still ran.
    expect(scene.calls.some((call) => call.command === "stage" || call.command === "boot")).toBe(false);
    expect(run.events.some((event) => event.type === "gate" && event.gate === "kube-node-ready")).toBe(true);
  });

  it("after gates that never pass stop the run naming the node (kube-node-ready first)", async () => {
    const scene = world({ ready: false });
    const run = harness(scene, { clock: minutes() });
    await expect(recheckInFlight(run.context, inFlight(), outcome())).rejects.toMatchObject({
      code: "E_POSTCHECK",
      node: "cp-2",
      gate: "kube-node-ready",
    });
    expect(scene.calls.some((call) => call.command === "version")).toBe(false);
  });

  it("the etcd gates must pass before it counts as done", async () => {
    const scene = world({});
    const run = harness(scene, { clock: minutes() });
    etcd.snapshot = { members: members.map((m) => (m.name === "cp-2" ? { ...m, isLearner: true } : m)), alarms: [] };
    await expect(recheckInFlight(run.context, inFlight(), outcome())).rejects.toMatchObject({
      gate: "etcd-member-rejoined",
    });
    expect(run.state.completed).toEqual([]);
  });

  it("a state naming a node the model does not have is refused", async () => {
    const run = harness(world({}));
    await expect(recheckInFlight(run.context, inFlight({ node: "cp-9" }), outcome())).rejects.toMatchObject({
      code: "E_STATE",
      message: "the state names cp-9, which is not in the model",
    });
  });
});

describe("resume: Kubernetes in flight", () => {
  const k8s = (extra: Partial<InFlight> = {}) =>
    inFlight({ kind: "kubernetes", to: "v1.35.2", node: "cp-1", bootId: undefined, ...extra });

  it("every kubelet at the target: the after gates pass and it counts as done", async () => {
    const scene = world({ kubelet: "v1.35.2" });
    const run = harness(scene);
    const result = outcome();
    expect(await recheckInFlight(run.context, k8s(), result)).toEqual({});
    expect(result.upgraded).toEqual(["cp-1"]);
    expect(run.state.completed).toEqual([
      { kind: "kubernetes", to: "v1.35.2", node: "cp-1", skipped: false, at: expect.any(String) },
    ]);
    expect(run.events.flatMap((event) => (event.type === "gate" ? [event.gate] : []))).toEqual([
      "kube-nodes-ready",
      "kubelet-version",
      "etcd-members-healthy",
      "pods-healthy",
    ]);
    expect(scene.calls).toEqual([]);
  });

  it("kubelets behind: upgrade-k8s did not finish, so it is done again (not marked done)", async () => {
    const scene = world({ kubelet: "v1.34.4" });
    const run = harness(scene);
    expect(await recheckInFlight(run.context, k8s(), outcome())).toEqual({ redo: "cp-1" });
    expect(run.state.completed).toEqual([]);
  });
});

describe("resume: the orphaned talosctl", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.pid && processAlive(recordProcess(child.pid))) process.kill(-child.pid, "SIGKILL");
    child = undefined;
  });
  const orphan = () => {
    child = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
    const exited = new Promise((resolve) => child?.on("exit", resolve));
    return { record: recordProcess(child.pid as number), exited };
  };

  it("still running: the resume waits for it to end before it looks at the node", async () => {
    const { record, exited } = orphan();
    const scene = world({});
    let stoppedBeforeLook = false;
    const run = harness(scene, {
      onEvent: (event) => {
        // The orphan ends on its own while the resume waits (as talosctl does when the node comes back).
        if (event.type === "resume" && event.detail.includes("still runs")) {
          stoppedBeforeLook = scene.calls.length === 0;
          process.kill(record.pid, "SIGTERM");
        }
      },
    });
    expect(await recheckInFlight(run.context, inFlight({ process: record }), outcome())).toEqual({});
    await exited;
    expect(stoppedBeforeLook).toBe(true);
    expect(run.details()).toContain(`the last run's talosctl (pid ${record.pid}) still runs: waiting for it`);
    expect(run.details()).toContain("the orphaned talosctl exited");
  });

  it("outliving the upgrade timeout: its process group is stopped, then the node is checked", async () => {
    const { record, exited } = orphan();
    const scene = world({});
    const run = harness(scene, { clock: minutes() });
    expect(await recheckInFlight(run.context, inFlight({ process: record }), outcome())).toEqual({});
    await exited;
    expect(processAlive(record)).toBe(false);
    expect(run.details()).toContain(
      "the orphaned talosctl was stopped before its deferred uncordon: cp-2 may be left cordoned (check `kubectl get node cp-2`, then `kubectl uncordon cp-2`)",
    );
  });

  it("a Talos upgrade's orphan is stopped once talosctl's own deadlines have all passed, not at upgrade-k8s'", async () => {
    const { record, exited } = orphan();
    const scene = world({});
    let now = 0;
    const run = harness(scene, {
      // A minute per reading; left alone, the orphan would end after 10 minutes: past the kill deadline of
      // image-pull 1 + drain 1 + 2 × upgrade 1 + margin 1 = 5 minutes.
      clock: () => {
        now += 60_000;
        if (now === 10 * 60_000 && processAlive(record)) process.kill(record.pid, "SIGTERM");
        return now;
      },
    });
    run.context.timeouts.upgrade = 60_000;
    run.context.timeouts.drain = 60_000;
    run.context.timeouts["image-pull"] = 60_000;
    expect(await recheckInFlight(run.context, inFlight({ process: record }), outcome())).toEqual({});
    await exited;
    expect(run.details()).toContain(
      "the orphaned talosctl was stopped before its deferred uncordon: cp-2 may be left cordoned (check `kubectl get node cp-2`, then `kubectl uncordon cp-2`)",
    );
  });

  it("upgrade-k8s gets its own (longer) timeout", async () => {
    const { record, exited } = orphan();
    const scene = world({});
    let now = 0;
    const run = harness(scene, {
      // A minute per reading; the orphan ends on its own after 10 minutes: within upgrade-k8s' 60, past 5.
      clock: () => {
        now += 60_000;
        if (now === 10 * 60_000 && processAlive(record)) process.kill(record.pid, "SIGTERM");
        return now;
      },
    });
    run.context.timeouts.upgrade = 5 * 60_000;
    expect(
      await recheckInFlight(
        run.context,
        inFlight({ kind: "kubernetes", to: "v1.35.2", node: "cp-1", bootId: undefined, process: record }),
        outcome(),
      ),
    ).toEqual({});
    await exited;
    expect(run.details()).toContain("the orphaned talosctl exited");
  });

  it("a recorded process that is gone (or a reused pid) is not waited for", async () => {
    const scene = world({});
    const run = harness(scene);
    const me = recordProcess(process.pid);
    expect(await recheckInFlight(run.context, inFlight({ process: { ...me, startTicks: "1" } }), outcome())).toEqual(
      {},
    );
    expect(run.details().some((detail) => detail.includes("still runs"))).toBe(false);
  });
});
