// Pod failures as `kubectl get pods -A` plus `describe` would show them: crash loops, OOM kills, image pulls,
// Running-but-not-Ready, init containers, the scheduler's reason for Pending, Evicted as a warning.
import { FAILING_WAITING_REASONS } from "@kubeforge/config";
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { Finding } from "../../finding.js";
import { findCondition } from "../conditions.js";

/** A failing pod and the container whose log tells why. */
export interface PodProblem {
  readonly finding: Finding;
  readonly namespace: string;
  readonly pod: string;
  readonly container?: string;
  /** Read the previous instance's log (the container restarted). */
  readonly previous?: boolean;
}

function containerProblem(status: V1ContainerStatus, init: boolean): string | undefined {
  const label = `${init ? "init container" : "container"} ${status.name}`;
  const restarts = status.restartCount ? `, ${status.restartCount} restart(s)` : "";
  const waiting = status.state?.waiting?.reason;
  const last = status.lastState?.terminated;
  const lastText = last?.reason
    ? `; last terminated: ${last.reason}${last.exitCode !== undefined ? ` (exit ${last.exitCode})` : ""}`
    : "";
  if (waiting && FAILING_WAITING_REASONS.has(waiting)) {
    const message = status.state?.waiting?.message ? `: ${status.state.waiting.message.split("\n")[0]}` : "";
    return `${label} ${waiting}${message}${restarts}${lastText}`;
  }
  if (last?.reason === "OOMKilled" || status.state?.terminated?.reason === "OOMKilled") {
    return `${label} OOMKilled${restarts} — raise its memory limit or find the leak`;
  }
  if (init && status.state?.terminated && status.state.terminated.exitCode !== 0) {
    return `${label} failed (exit ${status.state.terminated.exitCode})${restarts}`;
  }
  return undefined;
}

export function checkPods(pods: readonly V1Pod[]): PodProblem[] {
  const problems: PodProblem[] = [];
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace ?? "";
    const name = pod.metadata?.name ?? "";
    const object = `Pod ${namespace}/${name}`;
    const base = { file: "live: pods", object, rule: "pod-health" };
    const describe = `kubectl -n ${namespace} describe pod ${name}`;
    const phase = pod.status?.phase ?? "Unknown";
    if (phase === "Succeeded") continue;
    if (phase === "Failed") {
      if (pod.status?.reason === "Evicted") {
        problems.push({
          namespace,
          pod: name,
          finding: {
            ...base,
            severity: "warning",
            path: "status.reason",
            message: `Evicted: ${pod.status.message ?? ""}`.trim(),
            hint: `free the node's resource; delete the pod once understood (kubectl -n ${namespace} delete pod ${name})`,
          },
        });
      }
      continue;
    }
    const statuses: [V1ContainerStatus, boolean][] = [
      ...(pod.status?.initContainerStatuses ?? []).map((status): [V1ContainerStatus, boolean] => [status, true]),
      ...(pod.status?.containerStatuses ?? []).map((status): [V1ContainerStatus, boolean] => [status, false]),
    ];
    const failing = statuses
      .map(([status, init]) => ({ status, problem: containerProblem(status, init) }))
      .find((entry) => entry.problem);
    if (failing?.problem) {
      problems.push({
        namespace,
        pod: name,
        container: failing.status.name,
        previous: (failing.status.restartCount ?? 0) > 0,
        finding: {
          ...base,
          severity: "error",
          path: "status.containerStatuses",
          message: failing.problem,
          hint: describe,
        },
      });
      continue;
    }
    if (phase === "Pending") {
      const scheduled = findCondition(pod, "PodScheduled");
      const message =
        scheduled?.status === "False"
          ? `Pending: not scheduled (${scheduled.reason ?? "Unschedulable"}): ${scheduled.message ?? ""}`.trim()
          : "Pending: scheduled, containers not started yet";
      problems.push({
        namespace,
        pod: name,
        finding: {
          ...base,
          severity: "error",
          path: "status.conditions[PodScheduled]",
          message,
          hint:
            scheduled?.status === "False"
              ? "free or add capacity (requests vs. allocatable), bind the PVC, or tolerate the taint the message names"
              : describe,
        },
      });
      continue;
    }
    const ready = findCondition(pod, "Ready");
    if (phase === "Running" && ready?.status === "False") {
      const notReady = statuses.filter(([status, init]) => !init && !status.ready).map(([status]) => status);
      const restarts = notReady.reduce((sum, status) => sum + (status.restartCount ?? 0), 0);
      problems.push({
        namespace,
        pod: name,
        ...(notReady[0] ? { container: notReady[0].name } : {}),
        finding: {
          ...base,
          severity: "error",
          path: "status.conditions[Ready]",
          message: `Running but not Ready (containers not ready: ${notReady.map((status) => status.name).join(", ") || "?"})${restarts ? `, ${restarts} restart(s)` : ""}`,
          hint: `${describe} (readiness probe events)`,
        },
      });
      continue;
    }
    if (phase === "Unknown") {
      problems.push({
        namespace,
        pod: name,
        finding: {
          ...base,
          severity: "error",
          path: "status.phase",
          message: "Unknown: its node stopped reporting",
          hint: describe,
        },
      });
    }
  }
  return problems.sort((a, b) => (a.finding.object ?? "").localeCompare(b.finding.object ?? ""));
}

/** Appends the failing container's last log lines to its finding. */
export function withLogTail(problem: PodProblem, log: string | undefined, lines = 5): Finding {
  const tail = (log ?? "").trimEnd().split("\n").filter(Boolean).slice(-lines);
  if (tail.length === 0) return problem.finding;
  return {
    ...problem.finding,
    message: `${problem.finding.message}\n      last log lines of ${problem.container}${problem.previous ? " (previous run)" : ""}:\n${tail.map((line) => `        ${line}`).join("\n")}`,
  };
}
