// Cilium as the CNI. Installed once at bootstrap with the same values (Talos runs with CNI `none`, so
// nothing schedules until Cilium runs), then adopted and upgraded by Flux through this HelmRelease.
import type { Cluster } from "@kubeforge/config";
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { Component } from "./component.js";
import { addHelmRelease } from "./helm.js";
import { CHARTS } from "./versions.js";

/** The subset of the Cilium chart's values kubeforge sets. */
export interface CiliumValues {
  readonly ipam: { readonly mode: "kubernetes" };
  readonly kubeProxyReplacement: boolean;
  /** KubePrism: Talos serves a node-local, highly available API endpoint on localhost:7445. */
  readonly k8sServiceHost: string;
  readonly k8sServicePort: number;
  readonly securityContext: {
    readonly capabilities: { readonly ciliumAgent: readonly string[]; readonly cleanCiliumState: readonly string[] };
  };
  /** Talos mounts cgroup v2 itself and forbids the agent from mounting it again. */
  readonly cgroup: { readonly autoMount: { readonly enabled: boolean }; readonly hostRoot: string };
  /** Lets NetworkPolicy ipBlocks select node addresses (the API server runs on the host network). */
  readonly policyCIDRMatchMode: readonly "nodes"[];
  readonly operator: { readonly replicas: number; readonly prometheus: { readonly enabled: boolean } };
  readonly prometheus: { readonly enabled: boolean };
  readonly hubble: {
    readonly enabled: boolean;
    readonly relay: { readonly enabled: boolean };
    readonly ui: { readonly enabled: boolean };
    readonly metrics?: { readonly enabled: readonly string[] };
  };
}

export const KUBE_PRISM_PORT = 7445;

export function ciliumValues(cluster: Cluster): CiliumValues {
  const { hubble, kubeProxyReplacement, operatorReplicas } = cluster.cilium;
  return {
    ipam: { mode: "kubernetes" },
    kubeProxyReplacement,
    k8sServiceHost: "localhost",
    k8sServicePort: KUBE_PRISM_PORT,
    securityContext: {
      capabilities: {
        ciliumAgent: [
          "CHOWN",
          "KILL",
          "NET_ADMIN",
          "NET_RAW",
          "IPC_LOCK",
          "SYS_ADMIN",
          "SYS_RESOURCE",
          "DAC_OVERRIDE",
          "FOWNER",
          "SETGID",
          "SETUID",
        ],
        cleanCiliumState: ["NET_ADMIN", "SYS_ADMIN", "SYS_RESOURCE"],
      },
    },
    cgroup: { autoMount: { enabled: false }, hostRoot: "/sys/fs/cgroup" },
    policyCIDRMatchMode: ["nodes"],
    operator: { replicas: operatorReplicas, prometheus: { enabled: true } },
    prometheus: { enabled: true },
    hubble: {
      enabled: hubble,
      relay: { enabled: hubble },
      ui: { enabled: hubble },
      ...(hubble ? { metrics: { enabled: ["dns", "drop", "tcp", "flow", "icmp", "http"] } } : {}),
    },
  };
}

export class CiliumChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    addHelmRelease(this, {
      name: "cilium",
      namespace: "kube-system",
      chart: CHARTS.cilium,
      values: ciliumValues(cluster),
    });
  }
}

export function ciliumComponent(cluster: Cluster): Component {
  return {
    name: "cilium",
    sources: [CHARTS.cilium.source],
    files: [{ path: "infrastructure/cilium.yaml", chart: (app) => new CiliumChart(app, "cilium", cluster) }],
  };
}
