// @kubeforge/config: the typed cluster model.

export { PLATFORM_NAMESPACES } from "./checks/components.js";
export { RESERVED_NODE_NAMES } from "./checks/nodes.js";
export { BUILTIN_NAMESPACES } from "./checks/platform.js";
export { defineCluster } from "./define.js";
export {
  apiEndpoint,
  CUBEFS_ROLES,
  controlPlaneNodes,
  cubefsNodeLabels,
  defaultStorageClass,
  fluxPath,
  type InstallerImageOptions,
  installerImage,
  type NodeSchematicResult,
  nodeSchematic,
} from "./derive.js";
export { ConfigError, type ConfigErrorCode, type ConfigIssue, formatIssue, formatPath } from "./errors.js";
export {
  type FindDefinitionOptions,
  findDefinition,
  findDefinitionPath,
  findRepositoryRoot,
} from "./find-definition.js";
export { clusterJsonSchema } from "./json-schema.js";
export { type NodeLinks, nodeLinks, UPLINK_ALIAS, vlanName } from "./links.js";
export { type LoadClusterOptions, type LoadedCluster, loadCluster, parseClusterYaml, resolveCluster } from "./load.js";
export { FAILING_WAITING_REASONS } from "./pod-health.js";
export * from "./releases/index.js";
export type { Cilium } from "./schema/cilium.js";
export { type Cluster, type ClusterInput, clusterSchema } from "./schema/cluster.js";
export type { App, Coredns, Cubefs, Logging, Monitoring } from "./schema/components.js";
export type { DataDisk, DiskSelector, DiskSpec } from "./schema/disks.js";
export type { Namespace, NamespaceInput, PodSecurityLevel } from "./schema/namespaces.js";
export { namespaceSchema } from "./schema/namespaces.js";
export type { Api, Network } from "./schema/network.js";
export { BOND_MODES, type Bond, type NodeNetwork, type Vlan } from "./schema/node-network.js";
export type { Node } from "./schema/nodes.js";
export type { GroupBinding, Oidc } from "./schema/oidc.js";
export { DEMO_AGE_RECIPIENT, type Flux, type PriorityClass, type Sops, type StorageClass } from "./schema/platform.js";
export type { NodeSchematic, Schematic } from "./schema/schematic.js";
export { TALOS_API_ROLES, type TalosApiAccess } from "./schema/talos.js";
export type { TalosPatch } from "./schema/talos-patches.js";
export { type FactorySchematic, factorySchematic, marshalSchematic, schematicId } from "./schematic-id.js";
export { findPlaintextValues, type PlaintextValue } from "./secrets/plaintext-values.js";
export { type ValidationResult, validateCluster } from "./validate.js";
export { type CubefsVolumes, cubefsVolumes, USER_VOLUME_ROOT, userVolumePath } from "./volumes.js";
