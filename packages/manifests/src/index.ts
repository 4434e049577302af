// @kubeforge/manifests: cdk8s charts for a cluster and the writer of its Flux tree.

export { type BuildClusterOptions, type BuildClusterResult, buildCluster, objectCount } from "./build.js";
export { FLUX_NAMESPACE, FluxLayerChart, FluxSyncChart, LAYERS, type Layer } from "./charts/flux.js";
export { NamespaceGuardrailsChart, type NamespaceGuardrailsProps } from "./charts/namespace-guardrails.js";
export { NamespacesChart } from "./charts/namespaces.js";
export { PriorityClassesChart } from "./charts/priority-classes.js";
export { bindingName, OidcRbacChart } from "./charts/rbac.js";
export * as flux from "./imports/index.js";
export { GENERATED_MARKER, toYaml, toYamlStream } from "./render/serialize.js";
export { type ExtraFile, type RenderTreeOptions, renderTree, type TreeFile } from "./render/tree.js";
export { PlaintextSecretError, readUserSecrets, SECRETS_FOLDER, type UserSecrets } from "./secrets.js";
export { UnsafePathError, WriteConflictError } from "./writer/errors.js";
export { type WriteTreeOptions, type WriteTreeResult, writeTree } from "./writer/write-tree.js";
