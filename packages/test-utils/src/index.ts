export { type BuildCluster, describeClusterTree, isAcknowledgedCiliumObject } from "./cluster-tree.js";
export { loadSchemaValidator, type SchemaValidator } from "./crd-validator.js";
export { kustomizeBuild } from "./kustomize.js";
export {
  allowsConnection,
  allowsEgress,
  allowsIngress,
  cidrContains,
  isolatingPolicies,
  type PolicyObject,
} from "./network-policy.js";
export { repoRoot, sharedDir } from "./paths.js";
export {
  type Allowances,
  describeRenderedGuardrails,
  expectedNamespaces,
  type GuardrailModel,
  internetEgressExpectation,
  PLATFORM_ALLOWANCES,
} from "./rendered-guardrails.js";
