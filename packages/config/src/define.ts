import type { ClusterInput } from "./schema/cluster.js";

/**
 * Types a cluster definition written in TypeScript. Validation happens when the definition is
 * loaded (`loadCluster`), so every error can name the file it came from.
 */
export function defineCluster(definition: ClusterInput): ClusterInput {
  return definition;
}
