// `doctor`: the seed's troubleshooting steps in one report — nodes, pods (with the failing container's last log
// lines), workloads and their quotas, PVCs, Flux sources and appliers, recent Warning events. Every call has a
// deadline.
import type { AppsV1Api, CoreV1Api, CustomObjectsApi, V1Node } from "@kubernetes/client-node";
import type { Finding } from "../finding.js";
import { findCondition } from "./conditions.js";
import { DEFAULT_CALL_TIMEOUT_MS, withDeadline } from "./doctor/deadline.js";
import { checkWarningEvents } from "./doctor/events.js";
import { checkFlux } from "./doctor/flux.js";
import { checkPods, withLogTail } from "./doctor/pods.js";
import { checkTalosHealth, type TalosAccess, talosNodes } from "./doctor/talos.js";
import { checkClaims, checkWorkloads, workloadsOf } from "./doctor/workloads.js";

export interface DoctorApis {
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  /** Deployments, StatefulSets, DaemonSets; without it workloads are not checked. */
  readonly apps?: AppsV1Api;
}

export interface DoctorOptions {
  /** Most recent Warning event groups to report. @default 20 */
  readonly maxEvents?: number;
  /** Warning events last seen longer ago are dropped. @default 1 h */
  readonly maxEventAgeMs?: number;
  /** Deadline of every API call. @default 8000 */
  readonly callTimeoutMs?: number;
  /** @default Date.now() (for the event age) */
  readonly now?: number;
  /** Talos access: with it, Talos service health and etcd member health are checked too. */
  readonly talos?: Omit<TalosAccess, "timeoutMs">;
}

export { checkWarningEvents } from "./doctor/events.js";
export { checkPods } from "./doctor/pods.js";

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

/** How many failing pods get their container's last log lines read. */
const MAX_LOG_READS = 10;

export async function runDoctor(apis: DoctorApis, options: DoctorOptions = {}): Promise<Finding[]> {
  const timeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const call = <T>(what: string, run: () => Promise<T>) => withDeadline(what, run, timeoutMs);
  // Nodes first: an API server that does not answer stops the report here, with a clear error.
  const nodes = await call("listing nodes", () => apis.core.listNode());
  const pods = await call("listing pods", () => apis.core.listPodForAllNamespaces());
  const events = await call("listing events", () =>
    apis.core.listEventForAllNamespaces({ fieldSelector: "type=Warning" }),
  );
  const claims = await call("listing persistentvolumeclaims", () =>
    apis.core.listPersistentVolumeClaimForAllNamespaces(),
  );
  const quotas = await call("listing resourcequotas", () => apis.core.listResourceQuotaForAllNamespaces());
  const workloads = apis.apps
    ? workloadsOf(
        (await call("listing deployments", () => apis.apps!.listDeploymentForAllNamespaces())).items,
        (await call("listing statefulsets", () => apis.apps!.listStatefulSetForAllNamespaces())).items,
        (await call("listing daemonsets", () => apis.apps!.listDaemonSetForAllNamespaces())).items,
      )
    : [];
  const problems = checkPods(pods.items);
  const podFindings: Finding[] = [];
  for (const [index, problem] of problems.entries()) {
    if (index >= MAX_LOG_READS || !problem.container) {
      podFindings.push(problem.finding);
      continue;
    }
    const log = await withDeadline(
      `reading the log of ${problem.namespace}/${problem.pod}`,
      () =>
        apis.core.readNamespacedPodLog({
          name: problem.pod,
          namespace: problem.namespace,
          container: problem.container as string,
          tailLines: 5,
          ...(problem.previous ? { previous: true } : {}),
        }),
      timeoutMs,
    ).catch(() => undefined);
    podFindings.push(withLogTail(problem, typeof log === "string" ? log : undefined));
  }
  return [
    ...checkNodes(nodes.items),
    ...podFindings,
    ...checkWorkloads(workloads, quotas.items),
    ...checkClaims(claims.items),
    ...(await checkFlux(apis.custom, timeoutMs)),
    ...(options.talos ? await checkTalosHealth(talosNodes(nodes.items), { ...options.talos, timeoutMs }) : []),
    ...checkWarningEvents(events.items, {
      ...(options.maxEvents ? { max: options.maxEvents } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.maxEventAgeMs ? { maxAgeMs: options.maxEventAgeMs } : {}),
    }),
  ];
}
