// Turns a cluster into the files of its Flux tree. Pure: returns paths and contents, writes nothing.
import type { Cluster } from "@kubeforge/config";
import { App, type Chart } from "cdk8s";
import { FluxLayerChart, FluxSyncChart, LAYERS } from "../charts/flux.js";
import { NamespaceGuardrailsChart } from "../charts/namespace-guardrails.js";
import { NamespacesChart } from "../charts/namespaces.js";
import { PriorityClassesChart } from "../charts/priority-classes.js";
import { OidcRbacChart } from "../charts/rbac.js";
import { HelmSourcesChart } from "../components/helm.js";
import { componentsOf, namespacesOf } from "../components/index.js";
import { kustomizationFile, toYamlStream } from "./serialize.js";

/** One file of the tree, its path relative to the tree's root with `/` separators. */
export interface TreeFile {
  readonly path: string;
  readonly content: string;
}

/** A file that goes into the tree as is (e.g. a SOPS-encrypted Secret), listed in its folder's kustomization. */
export interface ExtraFile extends TreeFile {}

export interface RenderTreeOptions {
  /** Shown in every file's header, e.g. `clusters/homelab/cluster.ts`. */
  readonly source?: string;
  /** Files copied into the tree unchanged. */
  readonly extraFiles?: readonly ExtraFile[];
}

type ChartFactory = (app: App) => Chart;

/** Which chart goes to which file. Components add their own entries. */
function plan(cluster: Cluster): Array<{ path: string; chart: ChartFactory }> {
  const components = componentsOf(cluster);
  const namespaces = namespacesOf(cluster, components);
  return [
    { path: "flux-system/gotk-sync.yaml", chart: (app) => new FluxSyncChart(app, "flux-sync", cluster) },
    ...LAYERS.map((layer) => ({
      path: `${layer.name}.yaml`,
      chart: (app: App) => new FluxLayerChart(app, `layer-${layer.name}`, { cluster, layer }),
    })),
    {
      path: "infrastructure/namespaces.yaml",
      chart: (app) => new NamespacesChart(app, "namespaces", { cluster, namespaces }),
    },
    {
      path: "infrastructure/priority-classes.yaml",
      chart: (app) => new PriorityClassesChart(app, "priority-classes", cluster),
    },
    { path: "infrastructure/rbac-oidc.yaml", chart: (app) => new OidcRbacChart(app, "rbac-oidc", cluster) },
    {
      path: "infrastructure/helm-repositories.yaml",
      chart: (app) =>
        new HelmSourcesChart(
          app,
          "helm-repositories",
          components.flatMap((component) => component.sources ?? []),
        ),
    },
    ...components.flatMap((component) => component.files),
    // Guardrails (quota, limits, network policies) land with the namespace, before any of its pods.
    ...namespaces.map((namespace) => ({
      path: `infrastructure/namespace-${namespace.name}.yaml`,
      chart: (app: App) => new NamespaceGuardrailsChart(app, `guardrails-${namespace.name}`, { cluster, namespace }),
    })),
  ];
}

function folderOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index < 0 ? "" : path.slice(0, index);
}

/** Every folder on the way to each file, root included. */
function foldersOf(paths: readonly string[]): Set<string> {
  const folders = new Set<string>([""]);
  for (const path of paths) {
    for (let folder = folderOf(path); folder; folder = folderOf(folder)) folders.add(folder);
  }
  for (const layer of LAYERS) folders.add(layer.name);
  return folders;
}

/** Renders every chart and the kustomization.yaml of every folder. Files come back sorted by path. */
export function renderTree(cluster: Cluster, options: RenderTreeOptions = {}): TreeFile[] {
  const source = options.source ?? `cluster ${cluster.name}`;
  const app = new App({ outdir: "unused" });
  const files: TreeFile[] = [];
  for (const entry of plan(cluster)) {
    const objects = entry.chart(app).toJson();
    if (objects.length > 0) files.push({ path: entry.path, content: toYamlStream(objects, source) });
  }
  files.push(...(options.extraFiles ?? []));
  const paths = files.map((file) => file.path);

  const folders = foldersOf(paths);
  for (const folder of folders) {
    const prefix = folder ? `${folder}/` : "";
    const direct = paths.filter((path) => folderOf(path) === folder).map((path) => path.slice(prefix.length));
    const subfolders = [...folders]
      .filter((candidate) => candidate && folderOf(candidate) === folder)
      .map((candidate) => candidate.slice(prefix.length))
      // The root lists layer folders only through their Flux Kustomizations, never directly.
      .filter((name) => folder !== "" || !LAYERS.some((layer) => layer.name === name));
    const resources = [...direct, ...subfolders].sort();
    files.push({ path: `${prefix}kustomization.yaml`, content: kustomizationFile(resources, source) });
  }
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) throw new Error(`two files of the tree share the path ${file.path}`);
    seen.add(file.path);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
