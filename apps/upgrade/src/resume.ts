// The re-check of a node left in flight by an interrupted run (kill -9, crash): wait for or stop its orphaned
// talosctl, wait for the reboot it is in the middle of, and finish it, or hand it back to be upgraded first.
import { compareVersions, mustParseVersion, parseVersion } from "@kubeforge/config";
import { UpgradeError } from "./errors.js";
import { kubeletsAt, type Outcome, readBootId, rolledBack } from "./node-upgrade.js";
import { processAlive, settleOrphan } from "./orphan.js";
import type { PlanNode } from "./plan.js";
import type { InFlight } from "./state.js";
import { markCompleted, type StepContext, waitAfter } from "./steps.js";
import { upgradeKillDeadlineMs } from "./timeouts.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether Talos may be in the middle of an upgrade or reboot in this machine stage. Only "running" is calm:
 * upgrading, installing, rebooting, "shutting down" (the enumer string has a space), booting, and any stage
 * this code does not know (resetting, maintenance, unknown, a newer Talos' addition) count as busy, so the
 * resume waits (up to the upgrade timeout, then stops naming the stage) rather than redoing an upgrade on a
 * guess. The stage strings are MACHINE_STAGES in talosctl.ts.
 */
export function busyStage(stage: string): boolean {
  return stage !== "running";
}

/**
 * Whether the node in flight rebooted since `bootId` was recorded: polls (monotonic clock, up to the upgrade
 * timeout) while the node is busy (machine stage upgrading/rebooting, unreachable or NotReady). False when
 * it is calmly running on the same boot: that upgrade never happened.
 */
async function waitForReboot(context: StepContext, node: PlanNode, bootId: string): Promise<boolean> {
  const now = context.clock ?? (() => performance.now());
  const start = now();
  for (;;) {
    // The stage first, then the boot ID: a stage "running" followed by the old boot ID means no reboot
    // happened in between, so the node was calmly running on its old boot when the stage was read.
    let stage: string | undefined;
    try {
      stage = await context.clients.talosctl.machineStage?.(node.address, {
        timeoutMs: context.clients.callTimeoutMs ?? 10_000,
      });
    } catch {
      stage = undefined; // unreachable: rebooting
    }
    const current = await readBootId(context, node);
    if (current && current !== bootId) return true;
    const busy = stage === undefined || busyStage(stage) || current === undefined;
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
      // The same outer guard as a live run: talosctl's own deadlines (pull, drain, reboot, uncordon) first.
      timeoutMs:
        inFlight.kind === "talos"
          ? upgradeKillDeadlineMs({
              timeoutMs: context.timeouts.upgrade,
              drainTimeoutMs: context.timeouts.drain,
              pullBudgetMs: context.timeouts["image-pull"],
            })
          : context.timeouts["upgrade-k8s"],
      pollMs: Math.min(context.pollIntervalMs, 1000),
      now: context.clock,
    });
    context.emit({
      type: "resume",
      node: inFlight.node,
      detail:
        settled === "stopped" && inFlight.kind === "talos"
          ? `the orphaned talosctl was stopped before its deferred uncordon: ${inFlight.node} may be left cordoned (check \`kubectl get node ${inFlight.node}\`, then \`kubectl uncordon ${inFlight.node}\`)`
          : `the orphaned talosctl ${settled}`,
    });
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
      gates: ["talos-version", "etcd-members-healthy", "pods-healthy"],
    });
  } else {
    const subject = { kubernetes: inFlight.to };
    await waitAfter(context, { step: label, subject, gates: ["kube-nodes-ready"] });
    if (!(await kubeletsAt(context, inFlight.to))) return { redo: inFlight.node };
    await waitAfter(context, {
      step: label,
      subject,
      gates: ["kubelet-version", "etcd-members-healthy", "pods-healthy"],
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
