// Kubernetes-side gates through @kubernetes/client-node: node readiness, cordons, kubelet versions, pods.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { sameVersion } from "@kubeforge/config";
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Lease,
  V1MicroTime,
} from "@kubernetes/client-node";
import { UpgradeError } from "../errors.js";
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
  /** status.nodeInfo.bootID: changes at every reboot. */
  readonly bootId?: string;
}

export interface KubePodState {
  readonly namespace: string;
  readonly name: string;
  readonly node?: string;
  readonly phase: string;
}

/** The parts of a coordination.k8s.io/v1 Lease the run lock uses. */
export interface LeaseRecord {
  readonly holder?: string;
  readonly durationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  /** Optimistic concurrency: a replace or delete with a stale resourceVersion is refused (409). */
  readonly resourceVersion: string;
}

export type LeaseSpec = Omit<LeaseRecord, "resourceVersion">;

/** Another writer changed or created the Lease first (HTTP 409). */
export class LeaseConflictError extends Error {
  override readonly name = "LeaseConflictError";
}

export interface KubeClient {
  listNodes(): Promise<KubeNodeState[]>;
  listPods(): Promise<KubePodState[]>;
  /** `spec.holderIdentity` of a Lease (kube-vip's leader election), undefined when the Lease does not exist. */
  leaseHolder?(namespace: string, name: string): Promise<string | undefined>;
  /** The run lock's Lease; undefined when it does not exist. */
  readLease?(namespace: string, name: string): Promise<LeaseRecord | undefined>;
  /** Creates the Lease; LeaseConflictError when it already exists. */
  createLease?(namespace: string, name: string, spec: LeaseSpec): Promise<LeaseRecord>;
  /** Replaces the Lease if it is still at `resourceVersion`; LeaseConflictError otherwise. */
  replaceLease?(namespace: string, name: string, spec: LeaseSpec, resourceVersion: string): Promise<LeaseRecord>;
  /** Deletes the Lease if it is still at `resourceVersion`; LeaseConflictError otherwise. */
  deleteLease?(namespace: string, name: string, resourceVersion: string): Promise<void>;
}

function leaseBody(namespace: string, name: string, spec: LeaseSpec, resourceVersion?: string): V1Lease {
  const time = (text: string | undefined) => (text ? new V1MicroTime(text) : undefined);
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      ...(spec.holder ? { holderIdentity: spec.holder } : {}),
      ...(spec.durationSeconds ? { leaseDurationSeconds: spec.durationSeconds } : {}),
      ...(spec.acquireTime ? { acquireTime: time(spec.acquireTime) } : {}),
      ...(spec.renewTime ? { renewTime: time(spec.renewTime) } : {}),
    },
  };
}

function leaseRecord(lease: V1Lease): LeaseRecord {
  const iso = (value: unknown) =>
    value instanceof Date ? value.toISOString() : typeof value === "string" ? value : undefined;
  const acquireTime = iso(lease.spec?.acquireTime);
  const renewTime = iso(lease.spec?.renewTime);
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? "",
    ...(lease.spec?.holderIdentity ? { holder: lease.spec.holderIdentity } : {}),
    ...(lease.spec?.leaseDurationSeconds ? { durationSeconds: lease.spec.leaseDurationSeconds } : {}),
    ...(acquireTime ? { acquireTime } : {}),
    ...(renewTime ? { renewTime } : {}),
  };
}

function conflictOr(error: unknown): Error {
  if (error instanceof ApiException && error.code === 409) return new LeaseConflictError("the Lease changed");
  return shorten(error);
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
    async readLease(namespace, name) {
      try {
        return leaseRecord(await withDeadline(coordination.readNamespacedLease({ namespace, name }), timeoutMs));
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw shorten(error);
      }
    },
    async createLease(namespace, name, spec) {
      try {
        const body = leaseBody(namespace, name, spec);
        return leaseRecord(await withDeadline(coordination.createNamespacedLease({ namespace, body }), timeoutMs));
      } catch (error) {
        throw conflictOr(error);
      }
    },
    async replaceLease(namespace, name, spec, resourceVersion) {
      try {
        const body = leaseBody(namespace, name, spec, resourceVersion);
        return leaseRecord(
          await withDeadline(coordination.replaceNamespacedLease({ namespace, name, body }), timeoutMs),
        );
      } catch (error) {
        throw conflictOr(error);
      }
    },
    async deleteLease(namespace, name, resourceVersion) {
      try {
        await withDeadline(
          coordination.deleteNamespacedLease({ namespace, name, body: { preconditions: { resourceVersion } } }),
          timeoutMs,
        );
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return;
        throw conflictOr(error);
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
            ...(node.status?.nodeInfo?.bootID ? { bootId: node.status.nodeInfo.bootID } : {}),
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

/**
 * No node unschedulable and every node's Talos machine stage `running`: Talos drains late (after the image
 * pull), so a node can be `upgrading` while still Ready and schedulable.
 */
export function checkNoUpgradeInProgress(
  nodes: readonly KubeNodeState[],
  stages: readonly { readonly hostname: string; readonly stage?: string; readonly error?: string }[],
): GateResult {
  const cordoned = checkNoneCordoned(nodes);
  if (!cordoned.ok) return cordoned;
  const busy = stages.filter((entry) => entry.stage !== "running");
  if (busy.length === 0) return { ok: true, detail: `no node cordoned, ${stages.length} machine stage(s) running` };
  return {
    ok: false,
    detail: busy
      .map((entry) =>
        entry.stage
          ? `${entry.hostname}: Talos machine stage is ${entry.stage} (an upgrade or reboot is in progress)`
          : `${entry.hostname}: Talos machine stage unknown (${entry.error})`,
      )
      .join("; "),
  };
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
