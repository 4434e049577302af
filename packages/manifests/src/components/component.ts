// What a platform component contributes to the tree: its namespaces (which get the same guardrails as
// users' namespaces), its Helm sources and its files, each rendered by a cdk8s chart.
import type { Cluster, NamespaceInput } from "@kubeforge/config";
import type { App, Chart } from "cdk8s";
import type { HelmSource } from "./versions.js";

export interface ComponentFile {
  /** Path in the tree, starting with the layer folder: `infrastructure/cilium.yaml`. */
  readonly path: string;
  readonly chart: (app: App) => Chart;
}

export interface Component {
  readonly name: string;
  readonly namespaces?: readonly NamespaceInput[];
  readonly sources?: readonly HelmSource[];
  readonly files: readonly ComponentFile[];
}

/** Builds a component from the model, or nothing when the model turns it off. */
export type ComponentFactory = (cluster: Cluster) => Component | undefined;
