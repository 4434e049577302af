export { type BuildCluster, describeClusterTree, isAcknowledgedCiliumObject } from "./cluster-tree.js";
export { loadSchemaValidator, type SchemaValidator } from "./crd-validator.js";
export { kustomizeBuild } from "./kustomize.js";
export { repoRoot, sharedDir } from "./paths.js";
