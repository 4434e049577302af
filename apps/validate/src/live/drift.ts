// Drift: objects the tree declares that are missing from the cluster or whose declared fields differ.
import { type KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import type { Finding } from "../finding.js";
import { findingAt } from "../rules/rule.js";
import { describeObject, type ManifestDocument, objectRef } from "../tree/manifest-document.js";
import { compareDeclared } from "./compare-declared.js";
import { apiStatus, toApiError } from "./kube-client.js";

const MAX_DIFFERENCES_PER_OBJECT = 5;

function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  const text = JSON.stringify(value instanceof Date ? value.toISOString() : value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Compares each declared object with the cluster through `api` (one GET per object). */
export async function checkDrift(api: KubernetesObjectApi, documents: readonly ManifestDocument[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const document of documents) {
    const ref = objectRef(document);
    if (!ref.apiVersion || !ref.kind || !ref.name) continue;
    let live: unknown;
    try {
      live = await api.read({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
      });
    } catch (error) {
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
      if (error instanceof Error && /Unrecognized API version and kind/.test(error.message)) {
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
      throw toApiError(error, `reading ${describeObject(document)}`);
    }
    // Typed kinds come back as client-node model instances; compare in the wire (JSON) shape.
    const wire = JSON.parse(JSON.stringify(live)) as unknown;
    const differences = compareDeclared(document.object, wire, { isSecret: ref.kind === "Secret" });
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

export function objectApi(config: KubeConfig): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(config);
}
