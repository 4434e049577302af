// The shape every rule has, the context it reads, and a helper to point a finding at a node of a document.
import type { Cluster } from "@kubeforge/config";
import { type Finding, formatPath, type Severity } from "../finding.js";
import type { KustomizeBuild } from "../kustomize/kustomize-build.js";
import type { SchemaRegistry } from "../schemas/schema-registry.js";
import { describeObject, lineOf, type ManifestDocument } from "../tree/manifest-document.js";
import { documentsOfKinds } from "../tree/tree-index.js";

export interface RuleContext {
  /** Every Kubernetes object of the tree (kustomize's own kustomization.yaml files excluded). */
  readonly documents: readonly ManifestDocument[];
  /** The cluster model (cluster.ts / cluster.yaml beside the tree), when one was found. */
  readonly cluster?: Cluster;
  readonly schemas: SchemaRegistry;
  /** Directory that Flux paths (`./clusters/x/flux/apps`) are relative to: the Git source's root. */
  readonly sourceRoot: string;
  /** Base directory of report paths. */
  readonly displayBase: string;
  /** Builds a kustomize directory; undefined when kustomize checks are switched off. */
  readonly kustomize?: KustomizeBuild;
  /** Every file of the tree as text (for checks that read raw files, e.g. plaintext secrets). */
  readonly files: readonly { readonly path: string; readonly content: string }[];
}

export interface Rule {
  readonly id: string;
  readonly description: string;
  check(context: RuleContext): Finding[] | Promise<Finding[]>;
}

export interface FindingInput {
  readonly rule: string;
  readonly severity?: Severity;
  readonly path?: readonly (string | number)[];
  readonly message: string;
  readonly hint: string;
}

/** A finding about `document`, located at `input.path` (file, line and object filled in). */
export function findingAt(document: ManifestDocument, input: FindingInput): Finding {
  const path = input.path ?? [];
  const line = lineOf(document, path);
  return {
    rule: input.rule,
    severity: input.severity ?? "error",
    file: document.file,
    path: formatPath(path),
    ...(line !== undefined ? { line } : {}),
    object: describeObject(document),
    message: input.message,
    hint: input.hint,
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Documents whose kind is one of `kinds` (looked up in the tree's index). */
export function documentsOfKind(documents: readonly ManifestDocument[], ...kinds: string[]): ManifestDocument[] {
  return documentsOfKinds(documents, kinds);
}
