// One node's Talos upgrade, one upgrade-k8s, and the re-check of a node left in flight by an interrupted run.

import { compareVersions, mustParseVersion, parseVersion, sameVersion } from "@kubeforge/config";
import { UpgradeError } from "./errors.js";
import { processAlive, recordProcess, settleOrphan } from "./orphan.js";
import type { KubernetesStep, PlanNode, TalosStep } from "./plan.js";
import type { InFlight } from "./state.js";
import {
  checkBefore,
  markCompleted,
  markInFlight,
  noteInFlight,
  runCommand,
  type StepContext,
  waitAfter,
} from "./steps.js";

async function talosAt(context: StepContext, node: PlanNode, version: string): Promise<boolean> {
  const tag = await context.clients.talosctl.version(node.address, {
    timeoutMs: context.clients.callTimeoutMs ?? 10_000,
  });
  const running = parseVersion(tag);
  return running !== undefined && compareVersions(running, mustParseVersion(version)) >= 0;
}

export async function upgradeTalosNode(context: StepContext, step: TalosStep, node: PlanNode, result: Outcome) {
  const label = `talos ${step.to}`;
  const started = Date.now();
  const subject = { node, talos: step.to };
  let current: boolean;
  try {
    current = await talosAt(context, node, step.to);
  } catch (error) {
    throw new UpgradeError("E_PRECHECK", `cannot read ${node.hostname}'s Talos version: ${(error as Error).message}`, {
      node: node.hostname,
      gate: "talos-version",
    });
  }
  if (current) {
    context.emit({
      type: "node",
      step: label,
      node: node.hostname,
      status: "skip",
      detail: `already runs ${step.to} or newer`,
      elapsedMs: 0,
    });
    await markCompleted(context, { kind: "talos", to: step.to, node: node.hostname, skipped: true });
    result.skipped.push(node.hostname);
    return;
  }
  context.emit({
    type: "node",
    step: label,
    node: node.hostname,
    status: "start",
    detail: `upgrading to ${step.to}`,
    elapsedMs: 0,
  });
  await markInFlight(context, { kind: "talos", to: step.to, node: node.hostname, phase: "before" });
  await checkBefore(context, { step: label, subject, gates: step.before });
  const bootId = await readBootId(context, node.hostname);
  await markInFlight(context, {
    kind: "talos",
    to: step.to,
    node: node.hostname,
    phase: "upgrading",
    ...(bootId ? { bootId } : {}),
  });
  let recorded: Promise<void> = Promise.resolve();
  await runCommand(context, node.hostname, "talosctl upgrade", (onLine) =>
    context.clients.talosctl.upgrade(node.address, step.image, {
      timeoutMs: context.timeouts.upgrade,
      onLine,
      onSpawn: (pid) => {
        recorded = noteInFlight(context, { process: recordProcess(pid) });
      },
    }),
  );
  await recorded;
  await checkNotRolledBack(context, node, step.to, bootId);
  await markInFlight(context, { kind: "talos", to: step.to, node: node.hostname, phase: "after" });
  await waitAfter(context, { step: label, subject, gates: step.after });
  await markCompleted(context, { kind: "talos", to: step.to, node: node.hostname, skipped: false });
  result.upgraded.push(node.hostname);
  context.emit({
    type: "node",
    step: label,
    node: node.hostname,
    status: "done",
    detail: `runs ${step.to}`,
    elapsedMs: Date.now() - started,
  });
}

async function readBootId(context: StepContext, hostname: string): Promise<string | undefined> {
  try {
    return (await context.clients.kube.listNodes()).find((node) => node.name === hostname)?.bootId;
  } catch {
    return undefined;
  }
}

function rolledBack(node: string, to: string, running: string): UpgradeError {
  return new UpgradeError(
    "E_ROLLBACK",
    `${node} rebooted but runs Talos ${running}, not ${to}: Talos rolled back to its previous version`,
    {
      node,
      gate: "talos-version",
      hint: `find out why the new version did not boot (talosctl dmesg / logs on ${node}); the run stays stopped until you pass --retry-node ${node}`,
    },
  );
}

/** After talosctl returned: a node that rebooted (new boot ID) into a version below the target rolled back. */
async function checkNotRolledBack(context: StepContext, node: PlanNode, to: string, before: string | undefined) {
  if (!before) return;
  const now = await readBootId(context, node.hostname);
  if (!now || now === before) return;
  let tag: string;
  try {
    tag = await context.clients.talosctl.version(node.address, { timeoutMs: context.clients.callTimeoutMs ?? 10_000 });
  } catch {
    return; // not answering yet: the after gates wait for it
  }
  const running = parseVersion(tag);
  if (running && compareVersions(running, mustParseVersion(to)) < 0) throw rolledBack(node.hostname, to, tag);
}

async function kubeletsAt(context: StepContext, version: string): Promise<boolean> {
  const nodes = await context.clients.kube.listNodes();
  return nodes.length > 0 && nodes.every((node) => sameVersion(node.kubeletVersion, version));
}

export async function upgradeKubernetes(context: StepContext, step: KubernetesStep, result: Outcome) {
  const label = `kubernetes ${step.to}`;
  const started = Date.now();
  const subject = { kubernetes: step.to };
  const node = step.node.hostname;
  if (await kubeletsAt(context, step.to)) {
    context.emit({
      type: "node",
      step: label,
      node,
      status: "skip",
      detail: `every kubelet already at ${step.to}`,
      elapsedMs: 0,
    });
    await markCompleted(context, { kind: "kubernetes", to: step.to, node, skipped: true });
    return;
  }
  context.emit({
    type: "node",
    step: label,
    node,
    status: "start",
    detail: `upgrade-k8s ${step.from} → ${step.to}`,
    elapsedMs: 0,
  });
  await markInFlight(context, { kind: "kubernetes", to: step.to, node, phase: "before" });
  await checkBefore(context, { step: label, subject, gates: step.before });
  await markInFlight(context, { kind: "kubernetes", to: step.to, node, phase: "upgrading" });
  await runCommand(context, node, "talosctl upgrade-k8s", (onLine) =>
    context.clients.talosctl.upgradeKubernetes(step.node.address, step.to, {
      timeoutMs: context.timeouts["upgrade-k8s"],
      onLine,
    }),
  );
  await markInFlight(context, { kind: "kubernetes", to: step.to, node, phase: "after" });
  await waitAfter(context, { step: label, subject, gates: step.after });
  await markCompleted(context, { kind: "kubernetes", to: step.to, node, skipped: false });
  result.upgraded.push(`kubernetes@${node}`);
  context.emit({
    type: "node",
    step: label,
    node,
    status: "done",
    detail: `cluster at ${step.to}`,
    elapsedMs: Date.now() - started,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stages in which Talos is in the middle of an upgrade or reboot. */
const BUSY_STAGES = new Set(["upgrading", "rebooting", "installing", "shutting_down", "booting"]);

/**
 * Whether the node in flight rebooted since `bootId` was recorded: polls (monotonic clock, up to the upgrade
 * timeout) while the node is busy (machine stage upgrading/rebooting, unreachable or NotReady). False when
 * it is calmly running on the same boot: that upgrade never happened.
 */
async function waitForReboot(context: StepContext, node: PlanNode, bootId: string): Promise<boolean> {
  const now = context.clock ?? (() => performance.now());
  const start = now();
  for (;;) {
    const current = await readBootId(context, node.hostname);
    if (current && current !== bootId) return true;
    let stage: string | undefined;
    try {
      stage = await context.clients.talosctl.machineStage?.(node.address, {
        timeoutMs: context.clients.callTimeoutMs ?? 10_000,
      });
    } catch {
      stage = undefined; // unreachable: rebooting
    }
    const busy = stage === undefined || BUSY_STAGES.has(stage) || current === undefined;
    if (!busy) return false;
    if (now() - start >= context.timeouts.upgrade) {
      throw new UpgradeError(
        "E_POSTCHECK",
        `${node.hostname} was being upgraded by the interrupted run and has not rebooted within ${context.timeouts.upgrade / 1000}s (machine stage ${stage ?? "unreachable"})`,
        { node: node.hostname, gate: "talos-version", hint: "look at the node's console; no other node was touched" },
      );
    }
    context.emit({
      type: "resume",
      node: node.hostname,
      detail: `waiting for ${node.hostname} to reboot (machine stage ${stage ?? "unreachable"})`,
    });
    await sleep(context.pollIntervalMs);
  }
}

/**
 * After an interruption: settle the node in flight before anything else. An orphaned talosctl of the last run
 * is waited for (or stopped at the upgrade timeout); a node that rebooted (new boot ID) must pass its after
 * gates and counts as done; one that never rebooted is returned as `redo`, to be upgraded first of all.
 */
export async function recheckInFlight(
  context: StepContext,
  inFlight: InFlight,
  result: Outcome,
): Promise<{ redo?: string }> {
  const label = `${inFlight.kind} ${inFlight.to}`;
  context.emit({
    type: "resume",
    node: inFlight.node,
    detail: `${inFlight.node} was in flight (${label}, phase ${inFlight.phase}) when the last run stopped: re-checking it`,
  });
  const model = context.cluster.nodes.find((candidate) => candidate.hostname === inFlight.node);
  if (!model) throw new UpgradeError("E_STATE", `the state names ${inFlight.node}, which is not in the model`);
  const node: PlanNode = {
    hostname: model.hostname,
    address: model.address,
    controlPlane: model.controlPlane,
    action: "upgrade",
  };
  if (inFlight.process && processAlive(inFlight.process)) {
    context.emit({
      type: "resume",
      node: inFlight.node,
      detail: `the last run's talosctl (pid ${inFlight.process.pid}) still runs: waiting for it`,
    });
    const settled = await settleOrphan(inFlight.process, {
      timeoutMs: context.timeouts[inFlight.kind === "talos" ? "upgrade" : "upgrade-k8s"],
      pollMs: Math.min(context.pollIntervalMs, 1000),
    });
    context.emit({ type: "resume", node: inFlight.node, detail: `the orphaned talosctl ${settled}` });
  }
  if (inFlight.kind === "talos") {
    const subject = { node, talos: inFlight.to };
    if (inFlight.bootId && !(await waitForReboot(context, node, inFlight.bootId))) {
      context.emit({
        type: "resume",
        node: inFlight.node,
        detail: `${inFlight.node} never rebooted: its upgrade did not start, so it goes first again`,
      });
      return { redo: inFlight.node };
    }
    await waitAfter(context, { step: label, subject, gates: ["kube-node-ready", "etcd-member-rejoined"] });
    const tag = await context.clients.talosctl.version(node.address, {
      timeoutMs: context.clients.callTimeoutMs ?? 10_000,
    });
    const running = parseVersion(tag);
    if (!running || compareVersions(running, mustParseVersion(inFlight.to)) < 0) {
      if (inFlight.bootId) throw rolledBack(inFlight.node, inFlight.to, tag);
      return { redo: inFlight.node };
    }
    await waitAfter(context, {
      step: label,
      subject,
      gates: ["talos-version", "etcd-members-healthy", "pods-running"],
    });
  } else {
    const subject = { kubernetes: inFlight.to };
    await waitAfter(context, { step: label, subject, gates: ["kube-nodes-ready"] });
    if (!(await kubeletsAt(context, inFlight.to))) return { redo: inFlight.node };
    await waitAfter(context, {
      step: label,
      subject,
      gates: ["kubelet-version", "etcd-members-healthy", "pods-running"],
    });
  }
  await markCompleted(context, { kind: inFlight.kind, to: inFlight.to, node: inFlight.node, skipped: false });
  result.upgraded.push(inFlight.node);
  context.emit({
    type: "node",
    step: label,
    node: inFlight.node,
    status: "done",
    detail: `finished after resume`,
    elapsedMs: 0,
  });
  return {};
}

export interface Outcome {
  upgraded: string[];
  skipped: string[];
}
