// Drift: objects the tree declares that are missing from the cluster or whose declared fields differ.
import { CustomObjectsApi, type KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import type { Finding } from "../finding.js";
import { findingAt } from "../rules/rule.js";
import { describeObject, type ManifestDocument, objectRef } from "../tree/manifest-document.js";
import { compareDeclared } from "./compare-declared.js";
import { apiStatus, toApiError } from "./kube-client.js";
import { toWireShape } from "./wire-shape.js";

const MAX_DIFFERENCES_PER_OBJECT = 5;

function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  const text = JSON.stringify(value instanceof Date ? value.toISOString() : value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The object API with its (protected) discovery lookup made callable. */
export class DiscoveringObjectApi extends KubernetesObjectApi {
  static open(config: KubeConfig): DiscoveringObjectApi {
    const api = config.makeApiClient(DiscoveringObjectApi);
    api.setDefaultNamespace(config);
    return api;
  }

  discover(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

export interface DriftApis {
  readonly objects: DiscoveringObjectApi;
  readonly custom: CustomObjectsApi;
}

class NotServedError extends Error {}

/**
 * GETs one object in its JSON shape. Core (`v1`) kinds go through the typed object API; every other group goes
 * through the custom-objects API after discovery, because the typed API drops the fields of kinds it has no
 * model for (custom resources).
 */
async function readLive(apis: DriftApis, ref: ReturnType<typeof objectRef>): Promise<unknown> {
  const metadata = { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
  if (!ref.apiVersion.includes("/")) {
    return toWireShape(await apis.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata }));
  }
  const resource = await apis.objects.discover(ref.apiVersion, ref.kind);
  if (!resource) throw new NotServedError();
  const [group = "", version = ""] = ref.apiVersion.split("/");
  if (resource.namespaced) {
    const namespace = ref.namespace ?? "default";
    return apis.custom.getNamespacedCustomObject({ group, version, namespace, plural: resource.name, name: ref.name });
  }
  return apis.custom.getClusterCustomObject({ group, version, plural: resource.name, name: ref.name });
}

/** Compares each declared object with the cluster (one GET per object, plus discovery once per group). */
export async function checkDrift(apis: DriftApis, documents: readonly ManifestDocument[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const document of documents) {
    const ref = objectRef(document);
    if (!ref.apiVersion || !ref.kind || !ref.name) continue;
    let live: unknown;
    try {
      live = await readLive(apis, ref);
    } catch (error) {
      if (
        error instanceof NotServedError ||
        /Unrecognized API version and kind|Failed to fetch resource metadata/.test(String(error))
      ) {
        findings.push(
          findingAt(document, {
            rule: "drift",
            path: ["apiVersion"],
            message: `the cluster does not serve ${ref.apiVersion} ${ref.kind}`,
            hint: "install the CRD (or the controller that ships it) before this object",
          }),
        );
        continue;
      }
      if (apiStatus(error) === 404) {
        findings.push(
          findingAt(document, {
            rule: "drift",
            path: ["metadata", "name"],
            message: `${describeObject(document)} is declared but missing from the cluster`,
            hint: "check the Flux Kustomization that applies this path (flux get kustomizations -A)",
          }),
        );
        continue;
      }
      throw toApiError(error, `reading ${describeObject(document)}`);
    }
    const differences = compareDeclared(document.object, live, { isSecret: ref.kind === "Secret" });
    for (const difference of differences.slice(0, MAX_DIFFERENCES_PER_OBJECT)) {
      findings.push(
        findingAt(document, {
          rule: "drift",
          path: difference.keys,
          message: `declared ${show(difference.declared)}, cluster has ${show(difference.live)}`,
          hint: "let Flux reconcile it (flux reconcile kustomization <name> --with-source) or find who changed it",
        }),
      );
    }
  }
  return findings;
}

export function driftApis(config: KubeConfig): DriftApis {
  return { objects: DiscoveringObjectApi.open(config), custom: config.makeApiClient(CustomObjectsApi) };
}
