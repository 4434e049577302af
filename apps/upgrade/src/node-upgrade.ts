// One node's Talos upgrade, one upgrade-k8s, and the re-check of a node left in flight by an interrupted run.
import { UpgradeError } from "./errors.js";
import type { KubernetesStep, PlanNode, TalosStep } from "./plan.js";
import type { InFlight } from "./state.js";
import { checkBefore, markCompleted, markInFlight, runCommand, type StepContext, waitAfter } from "./steps.js";
import { compareVersions, mustParseVersion, parseVersion, sameVersion } from "@kubeforge/config";

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
  await markInFlight(context, { kind: "talos", to: step.to, node: node.hostname, phase: "upgrading" });
  await runCommand(context, node.hostname, "talosctl upgrade", (onLine) =>
    context.clients.talosctl.upgrade(node.address, step.image, { timeoutMs: context.timeouts.upgrade, onLine }),
  );
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

/** After an interruption: wait for the node in flight to come back, then finish it if it reached its target. */
export async function recheckInFlight(context: StepContext, inFlight: InFlight, result: Outcome) {
  const label = `${inFlight.kind} ${inFlight.to}`;
  context.emit({
    type: "resume",
    node: inFlight.node,
    detail: `${inFlight.node} was in flight (${label}, phase ${inFlight.phase}) when the last run stopped: re-checking it`,
  });
  const model = context.cluster.nodes.find((candidate) => candidate.hostname === inFlight.node);
  if (!model) throw new UpgradeError("E_STATE", `the state names ${inFlight.node}, which is not in the model`);
  const node = { hostname: model.hostname, address: model.address, controlPlane: model.controlPlane };
  if (inFlight.kind === "talos") {
    const subject = { node, talos: inFlight.to };
    await waitAfter(context, { step: label, subject, gates: ["kube-node-ready", "etcd-member-rejoined"] });
    if (!(await talosAt(context, { ...node, action: "upgrade" }, inFlight.to))) return;
    await waitAfter(context, {
      step: label,
      subject,
      gates: ["talos-version", "etcd-members-healthy", "pods-running"],
    });
  } else {
    const subject = { kubernetes: inFlight.to };
    await waitAfter(context, { step: label, subject, gates: ["kube-nodes-ready"] });
    if (!(await kubeletsAt(context, inFlight.to))) return;
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
}

export interface Outcome {
  upgraded: string[];
  skipped: string[];
}
