import type { ConfigIssue } from "../errors.js";
import type { Cluster } from "../schema/cluster.js";
import {
  checkApps,
  checkCubefsNodes,
  checkCubefsReplicas,
  checkStorageReferences,
  warnUnusedPriorityClasses,
} from "./components.js";
import { checkAddresses, checkCidrs, checkLinks, checkServiceCidrSize } from "./network.js";
import {
  checkControlPlaneCount,
  checkDataDisks,
  checkNodeNames,
  checkUniqueNodes,
  warnDataOnSystemDisk,
} from "./nodes.js";
import {
  checkNamespaces,
  checkPriorityClasses,
  checkStorageClasses,
  checkVersions,
  warnPodSecurity,
  warnVersions,
} from "./platform.js";

const ERROR_CHECKS: ReadonlyArray<(cluster: Cluster) => ConfigIssue[]> = [
  checkVersions,
  checkCidrs,
  checkServiceCidrSize,
  checkAddresses,
  checkUniqueNodes,
  checkNodeNames,
  checkControlPlaneCount,
  checkLinks,
  checkDataDisks,
  checkNamespaces,
  checkStorageClasses,
  checkPriorityClasses,
  checkCubefsNodes,
  checkCubefsReplicas,
  checkStorageReferences,
  checkApps,
];

const WARNING_CHECKS: ReadonlyArray<(cluster: Cluster) => ConfigIssue[]> = [
  warnVersions,
  warnPodSecurity,
  warnDataOnSystemDisk,
  warnUnusedPriorityClasses,
];

export function runChecks(cluster: Cluster): { errors: ConfigIssue[]; warnings: ConfigIssue[] } {
  return {
    errors: ERROR_CHECKS.flatMap((check) => check(cluster)),
    warnings: WARNING_CHECKS.flatMap((check) => check(cluster)),
  };
}
