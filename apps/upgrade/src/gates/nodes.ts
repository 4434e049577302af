// Kubernetes-side gates through @kubernetes/client-node: node readiness, cordons, kubelet versions, pods.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { ApiException, CoordinationV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { UpgradeError } from "../errors.js";
import { sameVersion } from "@kubeforge/config";
import type { GateResult } from "./gate.js";

export interface KubeConnection {
  /** kubeconfig file; otherwise $KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: string;
  /** Context inside it; its current-context otherwise. */
  readonly context?: string;
  /** Deadline of one API call: a half-open connection must not hang the run. @default 30000 */
  readonly timeoutMs?: number;
}

export interface KubeNodeState {
  readonly name: string;
  readonly ready: boolean;
  /** Reason of the Ready condition when not Ready. */
  readonly reason?: string;
  readonly unschedulable: boolean;
  readonly kubeletVersion: string;
}

export interface KubePodState {
  readonly namespace: string;
  readonly name: string;
  readonly node?: string;
  readonly phase: string;
}

export interface KubeClient {
  listNodes(): Promise<KubeNodeState[]>;
  listPods(): Promise<KubePodState[]>;
  /** `spec.holderIdentity` of a Lease (kube-vip's leader election), undefined when the Lease does not exist. */
  leaseHolder?(namespace: string, name: string): Promise<string | undefined>;
}

function loadKubeConfig(connection: KubeConnection): KubeConfig {
  const config = new KubeConfig();
  const file = connection.kubeconfig ?? process.env.KUBECONFIG?.split(path.delimiter)[0];
  const fallback = path.join(homedir(), ".kube", "config");
  const chosen = file ?? (existsSync(fallback) ? fallback : undefined);
  // loadFromDefault silently falls back to http://localhost:8080 when nothing is configured: refuse instead.
  if (!chosen || !existsSync(chosen)) {
    throw new UpgradeError("E_CONNECT", chosen ? `kubeconfig ${chosen} does not exist` : "no kubeconfig found", {
      hint: "pass --kubeconfig <file> or set KUBECONFIG (talosctl kubeconfig writes one)",
    });
  }
  try {
    config.loadFromFile(chosen);
  } catch (error) {
    throw new UpgradeError("E_CONNECT", `kubeconfig ${chosen} cannot be read: ${(error as Error).message}`, {
      hint: "pass a valid kubeconfig with --kubeconfig (talosctl kubeconfig writes one)",
    });
  }
  if (connection.context) config.setCurrentContext(connection.context);
  if (!config.getCurrentCluster()) {
    throw new UpgradeError("E_CONNECT", `kubeconfig ${chosen} has no cluster for its current context`, {
      hint: "pick a context with --kube-context or fix current-context",
    });
  }
  return config;
}

/** Shortens client-node's ApiException (which carries the whole response) to status and message. */
function shorten(error: unknown): Error {
  if (error instanceof ApiException) {
    const body = typeof error.body === "string" ? error.body : JSON.stringify(error.body);
    const message = /"message":"([^"]+)"/.exec(body ?? "")?.[1];
    return new Error(`Kubernetes API answered ${error.code}${message ? `: ${message}` : ""}`);
  }
  if (error instanceof Error) return new Error(`Kubernetes API unreachable: ${error.message.split("\n")[0]}`);
  return new Error(String(error));
}

/** Rejects when `call` has not settled within `ms` (client-node has no per-request deadline of its own). */
async function withDeadline<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Kubernetes API did not answer within ${ms / 1000}s`)), ms);
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function createKubeClient(connection: KubeConnection = {}): KubeClient {
  const timeoutMs = connection.timeoutMs ?? 30_000;
  const config = loadKubeConfig(connection);
  const api = config.makeApiClient(CoreV1Api);
  const coordination = config.makeApiClient(CoordinationV1Api);
  return {
    async leaseHolder(namespace, name) {
      try {
        const lease = await withDeadline(coordination.readNamespacedLease({ namespace, name }), timeoutMs);
        return lease.spec?.holderIdentity || undefined;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw shorten(error);
      }
    },
    async listNodes() {
      try {
        const list = await withDeadline(api.listNode(), timeoutMs);
        return list.items.map((node) => {
          const ready = node.status?.conditions?.find((condition) => condition.type === "Ready");
          return {
            name: node.metadata?.name ?? "",
            ready: ready?.status === "True",
            ...(ready?.status !== "True" ? { reason: ready?.reason ?? "no Ready condition" } : {}),
            unschedulable: node.spec?.unschedulable === true,
            kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? "",
          };
        });
      } catch (error) {
        throw shorten(error);
      }
    },
    async listPods() {
      try {
        const list = await withDeadline(api.listPodForAllNamespaces(), timeoutMs);
        return list.items.map((pod) => ({
          namespace: pod.metadata?.namespace ?? "",
          name: pod.metadata?.name ?? "",
          ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
          phase: pod.status?.phase ?? "Unknown",
        }));
      } catch (error) {
        throw shorten(error);
      }
    },
  };
}

/** Every node Ready, and every node the model expects (`expected` hostnames) registered at all. */
export function checkNodesReady(nodes: readonly KubeNodeState[], expected: readonly string[] = []): GateResult {
  const missing = expected.filter((hostname) => !nodes.some((node) => node.name === hostname));
  if (missing.length > 0) return { ok: false, detail: `not registered in Kubernetes: ${missing.join(", ")}` };
  const notReady = nodes.filter((node) => !node.ready);
  if (nodes.length === 0) return { ok: false, detail: "the API lists no nodes" };
  if (notReady.length === 0) return { ok: true, detail: `${nodes.length}/${nodes.length} nodes Ready` };
  return { ok: false, detail: notReady.map((node) => `${node.name} NotReady (${node.reason})`).join(", ") };
}

export function checkNodeReady(nodes: readonly KubeNodeState[], hostname: string): GateResult {
  const node = nodes.find((candidate) => candidate.name === hostname);
  if (!node) return { ok: false, detail: `${hostname} is not registered in Kubernetes` };
  if (!node.ready) return { ok: false, detail: `${hostname} NotReady (${node.reason})` };
  if (node.unschedulable) return { ok: false, detail: `${hostname} is Ready but still cordoned` };
  return { ok: true, detail: `${hostname} Ready` };
}

/** A cordoned node means a drain — another upgrade or maintenance — is under way. */
export function checkNoneCordoned(nodes: readonly KubeNodeState[]): GateResult {
  const cordoned = nodes.filter((node) => node.unschedulable).map((node) => node.name);
  if (cordoned.length === 0) return { ok: true, detail: "no node cordoned" };
  return { ok: false, detail: `cordoned: ${cordoned.join(", ")} (a drain or upgrade is in progress)` };
}

/** Pending or Unknown pods were not rescheduled. Failed pods are terminal (evicted, crashed jobs) and left alone. */
export function checkPodsRunning(pods: readonly KubePodState[]): GateResult {
  const stuck = pods.filter((pod) => pod.phase === "Pending" || pod.phase === "Unknown");
  if (stuck.length === 0) return { ok: true, detail: `no pod Pending or Unknown (${pods.length} pods)` };
  const named = stuck.slice(0, 5).map((pod) => `${pod.namespace}/${pod.name} ${pod.phase}`);
  return {
    ok: false,
    detail: `${stuck.length} pod(s) not running: ${named.join(", ")}${stuck.length > 5 ? ", …" : ""}`,
  };
}

export function checkKubeletVersions(nodes: readonly KubeNodeState[], version: string): GateResult {
  const behind = nodes.filter((node) => !sameVersion(node.kubeletVersion, version));
  if (nodes.length > 0 && behind.length === 0) return { ok: true, detail: `every kubelet at ${version}` };
  return { ok: false, detail: behind.map((node) => `${node.name} at ${node.kubeletVersion || "?"}`).join(", ") };
}
