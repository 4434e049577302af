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

/**
 * The service account kustomize-controller impersonates. Named explicitly so the controller's
 * `--default-service-account` lock-down can be switched on; `flux install` binds it to cluster-admin,
 * which the platform layers need (they create namespaces, PriorityClasses, RBAC and CRDs).
 */
export const FLUX_APPLIER = "kustomize-controller";

/** The longest HelmRelease timeout kubeforge renders (addHelmRelease refuses longer ones). */
export const LONGEST_HELM_TIMEOUT_MINUTES = 15;

/** A layer waits for its HelmReleases, whose own timeout may run out first: a few minutes more than the longest. */
export const LAYER_TIMEOUT = `${LONGEST_HELM_TIMEOUT_MINUTES + 5}m`;

function commonSpec(cluster: Cluster) {
  return {
    interval: cluster.flux.interval,
    retryInterval: "2m",
    timeout: LAYER_TIMEOUT,
    prune: true,
    wait: true,
    serviceAccountName: FLUX_APPLIER,
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
      // The root applies only Flux objects (the layers); waiting here would wait for every layer's
      // HelmReleases under one timeout. The layers wait for themselves, in order.
      spec: { ...commonSpec(cluster), wait: false, timeout: "5m", path: fluxPath(cluster) },
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
