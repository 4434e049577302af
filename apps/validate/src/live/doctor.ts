// `doctor`: the seed's troubleshooting steps in one report — nodes, pods, Warning events, Flux readiness.
import type { CoreV1Api, CoreV1Event, CustomObjectsApi, V1Node, V1Pod } from "@kubernetes/client-node";
import type { Finding } from "../finding.js";
import { findCondition } from "./conditions.js";
import { checkFluxReady } from "./flux-status.js";
import { toApiError } from "./kube-client.js";

export interface DoctorApis {
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
}

export interface DoctorOptions {
  /** Most recent Warning events to report. @default 20 */
  readonly maxEvents?: number;
}

const PRESSURE_CONDITIONS = ["MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"];

export function checkNodes(nodes: readonly V1Node[]): Finding[] {
  const findings: Finding[] = [];
  for (const node of nodes) {
    const object = `Node ${node.metadata?.name ?? ""}`;
    const ready = findCondition(node, "Ready");
    if (ready?.status !== "True") {
      findings.push({
        rule: "node-ready",
        severity: "error",
        file: "live: nodes",
        path: "status.conditions[Ready]",
        object,
        message: `is NotReady${ready?.reason ? ` (${ready.reason}: ${ready.message ?? ""})` : ""}`.trim(),
        hint: `talosctl -n <node-ip> health; kubectl describe node ${node.metadata?.name}`,
      });
    }
    for (const type of PRESSURE_CONDITIONS) {
      if (findCondition(node, type)?.status !== "True") continue;
      findings.push({
        rule: "node-ready",
        severity: "warning",
        file: "live: nodes",
        path: `status.conditions[${type}]`,
        object,
        message: `reports ${type}`,
        hint: "free the resource on the node or move workloads away",
      });
    }
    if (node.spec?.unschedulable) {
      findings.push({
        rule: "node-ready",
        severity: "warning",
        file: "live: nodes",
        path: "spec.unschedulable",
        object,
        message: "is cordoned",
        hint: `kubectl uncordon ${node.metadata?.name} when maintenance is over`,
      });
    }
  }
  return findings;
}

export function checkPods(pods: readonly V1Pod[]): Finding[] {
  const findings: Finding[] = [];
  for (const pod of pods) {
    const phase = pod.status?.phase ?? "Unknown";
    if (phase === "Running" || phase === "Succeeded") continue;
    const waiting = (pod.status?.containerStatuses ?? [])
      .map((status) => status.state?.waiting?.reason)
      .filter((reason): reason is string => Boolean(reason));
    const reason = [pod.status?.reason, ...waiting].filter(Boolean).join(", ");
    findings.push({
      rule: "pod-phase",
      severity: "error",
      file: "live: pods",
      path: "status.phase",
      object: `Pod ${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`,
      message: `is ${phase}${reason ? ` (${reason})` : ""}`,
      hint: `kubectl -n ${pod.metadata?.namespace} describe pod ${pod.metadata?.name}; kubectl -n ${pod.metadata?.namespace} logs ${pod.metadata?.name}`,
    });
  }
  return findings.sort((a, b) => (a.object ?? "").localeCompare(b.object ?? ""));
}

function eventTime(event: CoreV1Event): number {
  const value = event.eventTime ?? event.lastTimestamp ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;
  return value ? new Date(value as unknown as string).getTime() : 0;
}

/** Warning events, oldest first, keeping the `max` most recent. */
export function checkWarningEvents(events: readonly CoreV1Event[], max = 20): Finding[] {
  return events
    .filter((event) => event.type === "Warning")
    .sort((a, b) => eventTime(a) - eventTime(b) || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))
    .slice(-max)
    .map((event) => {
      const time = eventTime(event);
      const involved = event.involvedObject;
      return {
        rule: "warning-event",
        severity: "warning" as const,
        file: "live: events",
        path: "",
        object: `${involved?.kind ?? "object"} ${involved?.namespace ? `${involved.namespace}/` : ""}${involved?.name ?? ""}`,
        message: `${time ? new Date(time).toISOString() : "(no time)"} ${event.reason ?? ""}: ${event.message ?? ""}${(event.count ?? 1) > 1 ? ` (×${event.count})` : ""}`,
        hint: "kubectl get events -A --field-selector type=Warning --sort-by=.lastTimestamp",
      };
    });
}

export async function runDoctor(apis: DoctorApis, options: DoctorOptions = {}): Promise<Finding[]> {
  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toApiError(error, what);
    }
  };
  const nodes = await call("listing nodes", () => apis.core.listNode());
  const pods = await call("listing pods", () => apis.core.listPodForAllNamespaces());
  const events = await call("listing events", () =>
    apis.core.listEventForAllNamespaces({ fieldSelector: "type=Warning" }),
  );
  return [
    ...checkNodes(nodes.items),
    ...checkPods(pods.items),
    ...checkWarningEvents(events.items, options.maxEvents),
    ...(await checkFluxReady(apis.custom)),
  ];
}
