// CoreDNS has one owner: Talos deploys it (Deployment, Service, RBAC, its Corefile) and upgrades it with
// `talosctl upgrade-k8s`. Only when the model names upstream forwarders does Flux apply the Corefile
// ConfigMap, and only that ConfigMap, marked so that Flux never deletes it: dropping
// `coredns.forwarders` hands the ConfigMap back to Talos (its next `upgrade-k8s` writes its own Corefile)
// instead of pruning CoreDNS' configuration. After an `upgrade-k8s`, Flux restores this Corefile on its
// next reconcile (at most flux.interval later).
import type { Cluster } from "@kubeforge/config";
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { MANAGED_BY } from "../charts/labels.js";
import type { Component } from "./component.js";

/** Flux annotation that keeps an object out of garbage collection when it leaves the tree. */
export const FLUX_PRUNE_DISABLED = { "kustomize.toolkit.fluxcd.io/prune": "disabled" } as const;

/**
 * One Corefile (Caddyfile syntax) token: bare when it is a plain word, else double-quoted with `"` and `\`
 * escaped, so a model string can never close a block or start a directive. Control characters have no
 * quoted form there and are refused.
 */
export function corefileToken(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new Error(`${JSON.stringify(value)} holds a control character: not a Corefile token`);
  if (/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(value)) return value;
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Talos' Corefile with the forward target replaced. */
export function corefile(cluster: Cluster): string {
  return `.:53 {
    errors
    health
    ready
    kubernetes ${corefileToken(cluster.network.clusterDomain)} in-addr.arpa ip6.arpa {
      pods insecure
      ttl 30
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . ${cluster.coredns.forwarders.map(corefileToken).join(" ")}
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
      metadata: {
        name: "coredns",
        namespace: "kube-system",
        labels: { ...MANAGED_BY },
        annotations: { ...FLUX_PRUNE_DISABLED },
      },
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
