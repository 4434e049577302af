// One node's Talos upgrade and one upgrade-k8s, each through its gates; a rolled-back node is named.

import { compareVersions, mustParseVersion, parseVersion, sameVersion } from "@kubeforge/config";
import { UpgradeError } from "./errors.js";
import { recordProcess } from "./orphan.js";
import { type KubernetesStep, nodeImage, type PlanNode, type TalosStep } from "./plan.js";
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
  const started = performance.now();
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
  const bootId = await readBootId(context, node);
  await markInFlight(context, {
    kind: "talos",
    to: step.to,
    node: node.hostname,
    phase: "upgrading",
    ...(bootId ? { bootId } : {}),
  });
  let recorded: Promise<void> = Promise.resolve();
  await runCommand(context, node.hostname, "talosctl upgrade", (onLine) =>
    context.clients.talosctl.upgrade(node.address, nodeImage(step, node), {
      timeoutMs: context.timeouts.upgrade,
      drainTimeoutMs: context.timeouts.drain,
      pullBudgetMs: context.timeouts["image-pull"],
      nodeName: node.hostname,
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
    elapsedMs: performance.now() - started,
  });
}

/**
 * The node's boot ID, from Talos itself (the kernel's boot_id) when talosctl can read it, else from the
 * Kubernetes Node (which lags a reboot until the kubelet reports again). Undefined when neither answers.
 */
export async function readBootId(context: StepContext, node: PlanNode): Promise<string | undefined> {
  const timeoutMs = context.clients.callTimeoutMs ?? 10_000;
  if (context.clients.talosctl.bootId) {
    try {
      return await context.clients.talosctl.bootId(node.address, { timeoutMs });
    } catch {
      return undefined; // not answering: rebooting
    }
  }
  try {
    return (await context.clients.kube.listNodes()).find((entry) => entry.name === node.hostname)?.bootId;
  } catch {
    return undefined;
  }
}

export function rolledBack(node: string, to: string, running: string): UpgradeError {
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
  const now = await readBootId(context, node);
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

export async function kubeletsAt(context: StepContext, version: string): Promise<boolean> {
  const nodes = await context.clients.kube.listNodes();
  return nodes.length > 0 && nodes.every((node) => sameVersion(node.kubeletVersion, version));
}

export async function upgradeKubernetes(context: StepContext, step: KubernetesStep, result: Outcome) {
  const label = `kubernetes ${step.to}`;
  const started = performance.now();
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
    elapsedMs: performance.now() - started,
  });
}

export interface Outcome {
  upgraded: string[];
  skipped: string[];
}
