export { type BuildCluster, describeClusterTree } from "./cluster-tree.js";
export { type CrdValidator, loadCrdValidator, strictify } from "./crd-validator.js";
export { kustomizeBuild } from "./kustomize.js";
export { repoRoot, sharedDir } from "./paths.js";
