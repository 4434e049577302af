// Lookups over the Flux objects of a tree, shared by the Flux reference, cycle and build rules.
import { type ManifestDocument, objectRef } from "../tree/manifest-document.js";
import { documentsOfKinds } from "../tree/tree-index.js";
import { isRecord } from "./rule.js";

export const FLUX_SOURCE_KINDS = ["GitRepository", "OCIRepository", "Bucket", "HelmRepository", "HelmChart"];

export function isFluxKustomization(document: ManifestDocument): boolean {
  const apiVersion = String(document.object.apiVersion ?? "");
  return document.object.kind === "Kustomization" && apiVersion.startsWith("kustomize.toolkit.fluxcd.io/");
}

export function isHelmRelease(document: ManifestDocument): boolean {
  const apiVersion = String(document.object.apiVersion ?? "");
  return document.object.kind === "HelmRelease" && apiVersion.startsWith("helm.toolkit.fluxcd.io/");
}

export function isFluxSource(document: ManifestDocument): boolean {
  const apiVersion = String(document.object.apiVersion ?? "");
  return FLUX_SOURCE_KINDS.includes(String(document.object.kind)) && apiVersion.startsWith("source.toolkit.fluxcd.io/");
}

/** Flux Kustomizations and HelmReleases of the tree (the objects with dependsOn and source references). */
export function fluxAppliers(documents: readonly ManifestDocument[]): ManifestDocument[] {
  return documentsOfKinds(documents, ["Kustomization", "HelmRelease"]).filter(
    (document) => isFluxKustomization(document) || isHelmRelease(document),
  );
}

/** Flux appliers and sources: everything a Flux reference may name. */
export function fluxObjects(documents: readonly ManifestDocument[]): ManifestDocument[] {
  return documentsOfKinds(documents, ["Kustomization", "HelmRelease", ...FLUX_SOURCE_KINDS]).filter(
    (document) => isFluxKustomization(document) || isHelmRelease(document) || isFluxSource(document),
  );
}

/** `Kind/namespace/name` key; a missing namespace is Flux's default for the referring object. */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? "default"}/${name}`;
}

export function keyOf(document: ManifestDocument): string {
  const ref = objectRef(document);
  return objectKey(ref.kind, ref.namespace, ref.name);
}

export function spec(document: ManifestDocument): Record<string, unknown> {
  return isRecord(document.object.spec) ? document.object.spec : {};
}

export interface Reference {
  readonly path: (string | number)[];
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string;
}

/** dependsOn entries of a Kustomization or HelmRelease, resolved against the object's own namespace. */
export function dependsOn(document: ManifestDocument): Reference[] {
  const list = spec(document).dependsOn;
  if (!Array.isArray(list)) return [];
  const own = objectRef(document);
  return list.flatMap((entry, index) =>
    isRecord(entry) && typeof entry.name === "string"
      ? [
          {
            path: ["spec", "dependsOn", index, "name"],
            kind: own.kind,
            namespace: typeof entry.namespace === "string" ? entry.namespace : own.namespace,
            name: entry.name,
          },
        ]
      : [],
  );
}

/** Source references: Kustomization.spec.sourceRef, HelmRelease.spec.chart.spec.sourceRef and .spec.chartRef. */
export function sourceRefs(document: ManifestDocument): Reference[] {
  const own = objectRef(document);
  const out: Reference[] = [];
  const add = (value: unknown, path: (string | number)[]) => {
    if (!isRecord(value) || typeof value.name !== "string" || typeof value.kind !== "string") return;
    const namespace = typeof value.namespace === "string" ? value.namespace : own.namespace;
    out.push({ path, kind: value.kind, namespace, name: value.name });
  };
  const body = spec(document);
  if (isFluxKustomization(document)) add(body.sourceRef, ["spec", "sourceRef"]);
  if (isHelmRelease(document)) {
    const chart = isRecord(body.chart) && isRecord(body.chart.spec) ? body.chart.spec : {};
    add(chart.sourceRef, ["spec", "chart", "spec", "sourceRef"]);
    add(body.chartRef, ["spec", "chartRef"]);
  }
  return out;
}
