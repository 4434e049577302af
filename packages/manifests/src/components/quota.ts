// Sizes a platform namespace's ResourceQuota from the pods its charts create. A quota below what the
// pods declare lets the first install through (the quota comes later, in configs) and then rejects
// every replacement pod: a rolling update, a drained node's StatefulSet pod, a DaemonSet pod on a new node.
import type { Namespace } from "@kubeforge/config";

export interface Resources {
  readonly cpu: string;
  readonly memory: string;
}

/** A container as the chart renders it; a missing side gets the namespace's LimitRange defaults. */
export interface ContainerBudget {
  readonly requests?: Resources;
  readonly limits?: Resources;
}

export interface PodBudget {
  readonly name: string;
  /** How many of these pods run at once (replicas, or nodes for a DaemonSet). */
  readonly count: number;
  readonly containers: readonly ContainerBudget[];
}

type Quota = Namespace["quota"];
type LimitRange = Namespace["limits"];

const SUFFIXES: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity in base units (cores, bytes): `250m`, `2`, `512Mi`, `10G`, `1e3`. */
export function parseQuantity(value: string): number {
  const match = /^\+?((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)([KMGTPE]i|[mkMGTPE])?$/.exec(value);
  if (!match) throw new Error(`${value} is not a Kubernetes quantity (e.g. 250m, 2, 512Mi, 10Gi)`);
  return Number(match[1]) * (SUFFIXES[match[2] ?? ""] as number);
}

/** Millicores of a CPU quantity, rounded up. */
export const parseCpu = (value: string): number => Math.ceil(parseQuantity(value) * 1000 - 1e-9);

/** MiB of a memory or storage quantity, rounded up. */
export const parseMemory = (value: string): number => Math.ceil(parseQuantity(value) / 2 ** 20 - 1e-9);

const formatCpu = (millicores: number) => (millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`);
const formatMemory = (mebibytes: number) => (mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`);
const roundUp = (value: number, step: number) => Math.ceil(value / step) * step;

interface Need {
  requestsCpu: number;
  requestsMemory: number;
  limitsCpu: number;
  limitsMemory: number;
}

/** What the API server and the LimitRanger make of a container: requests default to limits, then to the LimitRange. */
function containerNeed(container: ContainerBudget, defaults: LimitRange): Need {
  const side = (resource: keyof Resources) => {
    const limit =
      container.limits?.[resource] ?? (resource === "cpu" ? defaults.defaultLimitCpu : defaults.defaultLimitMemory);
    const request =
      container.requests?.[resource] ??
      container.limits?.[resource] ??
      (resource === "cpu" ? defaults.defaultRequestCpu : defaults.defaultRequestMemory);
    return { limit, request };
  };
  const cpu = side("cpu");
  const memory = side("memory");
  return {
    requestsCpu: parseCpu(cpu.request),
    requestsMemory: parseMemory(memory.request),
    limitsCpu: parseCpu(cpu.limit),
    limitsMemory: parseMemory(memory.limit),
  };
}

const sum = (needs: readonly Need[]): Need => ({
  requestsCpu: needs.reduce((total, need) => total + need.requestsCpu, 0),
  requestsMemory: needs.reduce((total, need) => total + need.requestsMemory, 0),
  limitsCpu: needs.reduce((total, need) => total + need.limitsCpu, 0),
  limitsMemory: needs.reduce((total, need) => total + need.limitsMemory, 0),
});

/** What the pods need together, plus room for one more of the largest (a surge pod or a replacement). */
export function budgetPods(pods: readonly PodBudget[], defaults: LimitRange): Need {
  const perPod = pods.map((pod) => ({
    pod,
    need: sum(pod.containers.map((container) => containerNeed(container, defaults))),
  }));
  const running = sum(
    perPod.map(({ pod, need }) => ({
      requestsCpu: need.requestsCpu * pod.count,
      requestsMemory: need.requestsMemory * pod.count,
      limitsCpu: need.limitsCpu * pod.count,
      limitsMemory: need.limitsMemory * pod.count,
    })),
  );
  const largest = (key: keyof Need) => Math.max(0, ...perPod.map(({ need }) => need[key]));
  return {
    requestsCpu: running.requestsCpu + largest("requestsCpu"),
    requestsMemory: running.requestsMemory + largest("requestsMemory"),
    limitsCpu: running.limitsCpu + largest("limitsCpu"),
    limitsMemory: running.limitsMemory + largest("limitsMemory"),
  };
}

export interface FitQuotaOptions {
  readonly pods: readonly PodBudget[];
  /** Sizes of the PersistentVolumeClaims the namespace's workloads create. */
  readonly volumes?: readonly string[];
  /** The namespace's LimitRange, which sizes containers that set no resources. */
  readonly defaults: LimitRange;
}

/** The namespace's quota, each value raised to what its pods and volumes need (never lowered). */
export function fitQuota(quota: Quota, { pods, volumes = [], defaults }: FitQuotaOptions): Quota {
  const need = budgetPods(pods, defaults);
  const storage = volumes.reduce((total, size) => total + parseMemory(size), 0);
  const cpu = (current: string, needed: number) => formatCpu(Math.max(parseCpu(current), roundUp(needed, 100)));
  const memory = (current: string, needed: number) =>
    formatMemory(Math.max(parseMemory(current), roundUp(needed, 256)));
  return {
    ...quota,
    requestsCpu: cpu(quota.requestsCpu, need.requestsCpu),
    requestsMemory: memory(quota.requestsMemory, need.requestsMemory),
    limitsCpu: cpu(quota.limitsCpu, need.limitsCpu),
    limitsMemory: memory(quota.limitsMemory, need.limitsMemory),
    requestsStorage: formatMemory(Math.max(parseMemory(quota.requestsStorage), roundUp(storage, 1024))),
    persistentVolumeClaims: Math.max(quota.persistentVolumeClaims, volumes.length),
  };
}
