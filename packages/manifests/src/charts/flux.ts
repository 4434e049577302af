// Flux sync objects: the GitRepository, the root Kustomization that reconciles the tree, and one
// Kustomization per layer (infrastructure → configs → apps) chained with dependsOn.
import { type Cluster, fluxPath } from "@kubeforge/config";
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import {
  Kustomization,
  KustomizationSpecDecryptionProvider,
  KustomizationSpecSourceRefKind,
} from "../imports/kustomize-toolkit-fluxcd-io.js";
import { GitRepository } from "../imports/source-toolkit-fluxcd-io.js";
import { MANAGED_BY } from "./labels.js";

export const FLUX_NAMESPACE = "flux-system";

/** A folder of the tree that Flux applies as one Kustomization, after the layers it depends on. */
export interface Layer {
  readonly name: string;
  readonly dependsOn: readonly string[];
}

export const LAYERS: readonly Layer[] = [
  { name: "infrastructure", dependsOn: [] },
  { name: "configs", dependsOn: ["infrastructure"] },
  { name: "apps", dependsOn: ["configs"] },
];

function commonSpec(cluster: Cluster) {
  return {
    interval: cluster.flux.interval,
    retryInterval: "2m",
    timeout: "5m",
    prune: true,
    wait: true,
    sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: FLUX_NAMESPACE },
    decryption: {
      provider: KustomizationSpecDecryptionProvider.SOPS,
      secretRef: { name: cluster.sops.decryptionSecret },
    },
  };
}

/** Git credentials: ssh URLs need the deploy key `flux bootstrap` stores as flux-system. */
function gitSecret(cluster: Cluster): string | undefined {
  return cluster.flux.secretRef ?? (cluster.flux.url.startsWith("ssh://") ? FLUX_NAMESPACE : undefined);
}

export class FluxSyncChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    const secret = gitSecret(cluster);
    new GitRepository(this, "source", {
      metadata: { name: FLUX_NAMESPACE, namespace: FLUX_NAMESPACE, labels: { ...MANAGED_BY } },
      spec: {
        interval: "1m",
        url: cluster.flux.url,
        ref: { branch: cluster.flux.branch },
        ...(secret ? { secretRef: { name: secret } } : {}),
      },
    });
    new Kustomization(this, "root", {
      metadata: { name: FLUX_NAMESPACE, namespace: FLUX_NAMESPACE, labels: { ...MANAGED_BY } },
      spec: { ...commonSpec(cluster), path: fluxPath(cluster) },
    });
  }
}

export class FluxLayerChart extends Chart {
  constructor(scope: Construct, id: string, props: { cluster: Cluster; layer: Layer }) {
    super(scope, id, { disableResourceNameHashes: true });
    const { cluster, layer } = props;
    new Kustomization(this, layer.name, {
      metadata: { name: layer.name, namespace: FLUX_NAMESPACE, labels: { ...MANAGED_BY } },
      spec: {
        ...commonSpec(cluster),
        path: `${fluxPath(cluster)}/${layer.name}`,
        ...(layer.dependsOn.length > 0 ? { dependsOn: layer.dependsOn.map((name) => ({ name })) } : {}),
      },
    });
  }
}
