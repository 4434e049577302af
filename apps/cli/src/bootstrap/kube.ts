// The Kubernetes API calls bootstrap makes (through the kubeconfig it wrote): create-or-replace of Secrets and
// custom objects, and the readiness of Flux's Kustomizations and HelmReleases.
import type { KubeConfig } from "@kubernetes/client-node";

export interface FluxObjectStatus {
  readonly kind: "Kustomization" | "HelmRelease";
  readonly namespace: string;
  readonly name: string;
  readonly ready: boolean;
  /** Reason and message of the Ready condition, when not Ready. */
  readonly why?: string;
}

export interface KubeApi {
  readonly server: string;
  isReachable(): Promise<boolean>;
  ensureNamespace(name: string): Promise<void>;
  upsertSecret(body: SecretBody): Promise<void>;
  upsertCustomObject(ref: CustomRef, body: Record<string, unknown>): Promise<void>;
  fluxStatus(): Promise<FluxObjectStatus[]>;
}

export interface SecretBody {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly type?: string;
  readonly stringData: Record<string, string>;
}

export interface CustomRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespace: string;
  readonly name: string;
}

const statusOf = (error: unknown) => (error as { code?: number }).code;

const FLUX_KINDS = [
  { kind: "Kustomization", group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations" },
  { kind: "HelmRelease", group: "helm.toolkit.fluxcd.io", version: "v2", plural: "helmreleases" },
] as const;

interface Conditioned {
  metadata?: { name?: string; namespace?: string; generation?: number };
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export async function openKubeApi(kubeconfig: string): Promise<KubeApi> {
  const k8s = await import("@kubernetes/client-node");
  const config: KubeConfig = new k8s.KubeConfig();
  config.loadFromFile(kubeconfig);
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error(`${kubeconfig} has no current cluster`);
  const core = config.makeApiClient(k8s.CoreV1Api);
  const custom = config.makeApiClient(k8s.CustomObjectsApi);
  const version = config.makeApiClient(k8s.VersionApi);
  return {
    server,
    async isReachable() {
      try {
        await version.getCode();
        return true;
      } catch {
        return false;
      }
    },
    async ensureNamespace(name) {
      try {
        await core.createNamespace({ body: { metadata: { name } } });
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
      }
    },
    async upsertSecret(body) {
      const { name, namespace } = body.metadata;
      try {
        await core.createNamespacedSecret({ namespace, body });
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        await core.replaceNamespacedSecret({ name, namespace, body });
      }
    },
    async upsertCustomObject(ref, body) {
      const { group, version: apiVersion, plural, namespace, name } = ref;
      try {
        await custom.createNamespacedCustomObject({ group, version: apiVersion, plural, namespace, body });
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        const current = (await custom.getNamespacedCustomObject({
          group,
          version: apiVersion,
          plural,
          namespace,
          name,
        })) as Conditioned & {
          metadata?: { resourceVersion?: string };
        };
        const metadata = { ...(body.metadata as object), resourceVersion: current.metadata?.resourceVersion };
        await custom.replaceNamespacedCustomObject({
          group,
          version: apiVersion,
          plural,
          namespace,
          name,
          body: { ...body, metadata },
        });
      }
    },
    async fluxStatus() {
      const out: FluxObjectStatus[] = [];
      for (const { kind, group, version: apiVersion, plural } of FLUX_KINDS) {
        let items: Conditioned[] = [];
        try {
          items =
            (
              (await custom.listClusterCustomObject({ group, version: apiVersion, plural })) as {
                items?: Conditioned[];
              }
            ).items ?? [];
        } catch (error) {
          if (statusOf(error) !== 404) throw error; // CRD not there yet: nothing of that kind
        }
        for (const item of items) {
          const ready = item.status?.conditions?.find((condition) => condition.type === "Ready");
          const current =
            item.status?.observedGeneration === undefined ||
            item.status.observedGeneration === item.metadata?.generation;
          const isReady = ready?.status === "True" && current;
          out.push({
            kind,
            namespace: item.metadata?.namespace ?? "",
            name: item.metadata?.name ?? "",
            ready: isReady,
            ...(isReady
              ? {}
              : {
                  why: ready
                    ? `${ready.reason ?? "NotReady"}: ${ready.message ?? ""}`.trim()
                    : "no Ready condition yet",
                }),
          });
        }
      }
      return out.sort(
        (a, b) =>
          a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
      );
    },
  };
}
