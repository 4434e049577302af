// @kubeforge/upgrade: rolling Talos and Kubernetes upgrades, one node at a time, staging before production.

export { RELEASES as DEFAULT_RELEASES, type ReleaseTable, releaseTableSchema } from "@kubeforge/config";
export { type BackupRecord, backupEtcd, checkSnapshot } from "./backup.js";
export { formatUpgradeError, UpgradeError, type UpgradeErrorCode } from "./errors.js";
export type { RunEvent, RunEventListener } from "./events.js";
export {
  checkPromotion,
  type Evidence,
  type EvidenceBody,
  loadEvidenceKey,
  recordEvidence,
  signEvidence,
  verifyEvidence,
} from "./evidence.js";
export {
  checkEtcdMemberRejoined,
  checkEtcdMembersHealthy,
  checkEtcdNoAlarms,
  checkEtcdQuorumWithout,
  type EtcdConnection,
  type EtcdCredentials,
  type EtcdSnapshot,
  inspectEtcd,
} from "./gates/etcd.js";
export { type Gate, type GateResult, waitForGate } from "./gates/gate.js";
export { type GateClients, makeGate } from "./gates/index.js";
export { GATE_DESCRIPTIONS, type GateName } from "./gates/names.js";
export { createKubeClient, type KubeClient, type KubeConnection } from "./gates/nodes.js";
export { checkPodHealth, type KubePodState } from "./gates/pods.js";
export { type LiveState, simulateLiveState } from "./live-state.js";
export { acquireClusterLock, type ClusterLock, RUN_LEASE } from "./lock/cluster-lease.js";
export { observeLiveState } from "./observe.js";
export {
  installerImageFor,
  nodeImage,
  type PlanStep,
  planUpgrade,
  previousRelease,
  type UpgradePlan,
  versionPath,
} from "./plan.js";
export { renderPlan } from "./render.js";
export { type RunOptions, type RunResult, runUpgrade } from "./run.js";
export { readState, type UpgradeState } from "./state.js";
export { createTalosctl, parseServerTag, type Talosctl, type TalosctlOptions } from "./talosctl.js";
export { DEFAULT_POLL_INTERVAL_MS, DEFAULT_TIMEOUTS, parseDuration, type Timeouts } from "./timeouts.js";
