// The pod-health gate: pods on the upgraded node and in the system namespaces must be Running, Ready and not
// crash-looping, OOM-killed or failing to pull; anything else that is unhealthy is reported, not blocking.
import { FAILING_WAITING_REASONS } from "@kubeforge/config";
import type { GateResult } from "./gate.js";

export interface KubePodState {
  readonly namespace: string;
  readonly name: string;
  readonly node?: string;
  readonly phase: string;
  /** The pod's Ready condition (undefined when the API did not report one). */
  readonly ready?: boolean;
  /** Restarts summed over its containers. */
  readonly restarts?: number;
  /** Waiting reasons of its containers (CrashLoopBackOff, ImagePullBackOff, …), init containers included. */
  readonly waiting?: readonly string[];
  /** Reasons of the containers' last terminations (OOMKilled, Error, …). */
  readonly lastTerminated?: readonly string[];
}

/** Namespaces whose pods the cluster needs: unhealthy there blocks wherever the pod runs. */
export const SYSTEM_NAMESPACES: readonly string[] = ["kube-system", "flux-system", "cilium", "kube-vip"];

/** What is wrong with a pod, or undefined when it is healthy (or finished: Succeeded, terminal Failed). */
export function podProblem(pod: KubePodState): string | undefined {
  if (pod.phase === "Succeeded" || pod.phase === "Failed") return undefined;
  const waiting = (pod.waiting ?? []).find((reason) => FAILING_WAITING_REASONS.has(reason));
  const restarts = pod.restarts ? `, ${pod.restarts} restart(s)` : "";
  if (waiting) return `${waiting}${restarts}`;
  if ((pod.lastTerminated ?? []).includes("OOMKilled") && pod.ready !== true) return `OOMKilled${restarts}`;
  if (pod.phase === "Pending" || pod.phase === "Unknown") return pod.phase;
  if (pod.phase === "Running" && pod.ready === false) {
    const oom = (pod.lastTerminated ?? []).includes("OOMKilled") ? ", last OOMKilled" : "";
    return `Running but not Ready${oom}${restarts}`;
  }
  return undefined;
}

export interface PodHealthOptions {
  /** The node being upgraded: its pods block. Without one, pods on any node block. */
  readonly node?: string;
  /** @default SYSTEM_NAMESPACES */
  readonly systemNamespaces?: readonly string[];
}

const listed = (pods: readonly { pod: KubePodState; problem: string }[]) =>
  `${pods
    .slice(0, 5)
    .map(({ pod, problem }) => `${pod.namespace}/${pod.name} ${problem}`)
    .join(", ")}${pods.length > 5 ? ", …" : ""}`;

export function checkPodHealth(pods: readonly KubePodState[], options: PodHealthOptions = {}): GateResult {
  const system = new Set(options.systemNamespaces ?? SYSTEM_NAMESPACES);
  const relevant = (pod: KubePodState) =>
    system.has(pod.namespace) || (options.node ? pod.node === options.node : pod.node !== undefined && pod.node !== "");
  const unhealthy = pods.flatMap((pod) => {
    const problem = podProblem(pod);
    return problem ? [{ pod, problem }] : [];
  });
  const blocking = unhealthy.filter(({ pod }) => relevant(pod));
  const reported = unhealthy.filter(({ pod }) => !relevant(pod));
  const where = options.node ? `on ${options.node} and in system namespaces` : "on nodes and in system namespaces";
  const note = reported.length > 0 ? `; not blocking: ${listed(reported)}` : "";
  if (blocking.length === 0) return { ok: true, detail: `pods ${where} healthy (${pods.length} pods)${note}` };
  return { ok: false, detail: `${blocking.length} pod(s) unhealthy ${where}: ${listed(blocking)}${note}` };
}
