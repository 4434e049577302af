// CoreDNS stays Talos-managed; when the model names upstream forwarders, Flux owns the Corefile.
// `talosctl upgrade-k8s` re-applies Talos' own Corefile; Flux restores this one on its next reconcile.
import type { Cluster } from "@kubeforge/config";
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { MANAGED_BY } from "../charts/labels.js";
import type { Component } from "./component.js";

/** Talos' Corefile with the forward target replaced. */
export function corefile(cluster: Cluster): string {
  return `.:53 {
    errors
    health
    ready
    kubernetes ${cluster.network.clusterDomain} in-addr.arpa ip6.arpa {
      pods insecure
      ttl 30
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . ${cluster.coredns.forwarders.join(" ")}
    cache 30
    loop
    reload
    loadbalance
}
`;
}

export class CorednsChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    new k8s.KubeConfigMap(this, "coredns", {
      metadata: { name: "coredns", namespace: "kube-system", labels: { ...MANAGED_BY } },
      data: { Corefile: corefile(cluster) },
    });
  }
}

export function corednsComponent(cluster: Cluster): Component | undefined {
  if (cluster.coredns.forwarders.length === 0) return undefined;
  return {
    name: "coredns",
    files: [{ path: "configs/coredns.yaml", chart: (app) => new CorednsChart(app, "coredns", cluster) }],
  };
}
