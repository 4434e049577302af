// The promotion gate around a run: production checks signed staging evidence first; a staging run records
// it, signed, when it finishes.
import path from "node:path";
import { sameVersion } from "@kubeforge/config";
import { UpgradeError } from "./errors.js";
import type { RunEventListener } from "./events.js";
import { checkPromotion, DEFAULT_EVIDENCE_MAX_AGE_MS, loadEvidenceKey, recordEvidence } from "./evidence.js";
import { inspectEtcd } from "./gates/etcd.js";
import type { GateName } from "./gates/names.js";
import { observeLiveState } from "./observe.js";
import type { UpgradePlan } from "./plan.js";
import type { RunOptions } from "./run.js";

export function evidenceKeyFile(options: RunOptions): string {
  return options.evidenceKey ?? path.join(path.dirname(options.evidenceDir), "evidence-signing.key");
}

export async function promote(options: RunOptions, plan: UpgradePlan, emit: RunEventListener): Promise<void> {
  if (plan.environment !== "production" || plan.steps.length === 0) return;
  if (options.force) {
    if (!options.force.reason.trim()) {
      throw new UpgradeError("E_PROMOTION", "--force needs a reason", {
        hint: "pass --reason '<why staging is skipped>'",
      });
    }
    emit({ type: "promotion", ok: true, detail: `promotion gate skipped with --force: ${options.force.reason}` });
    return;
  }
  const evidence = await checkPromotion({
    dir: options.evidenceDir,
    ...(options.evidenceFiles ? { files: options.evidenceFiles } : {}),
    target: plan.target,
    key: () => loadEvidenceKey(evidenceKeyFile(options)),
    production: options.cluster.name,
    maxAgeMs: options.evidenceMaxAgeMs ?? DEFAULT_EVIDENCE_MAX_AGE_MS,
  });
  emit({
    type: "promotion",
    ok: true,
    detail: `staging cluster ${evidence.cluster} recorded healthy at Talos ${evidence.talos} / Kubernetes ${evidence.kubernetes} on ${evidence.recordedAt}`,
  });
}

/** Signs and writes what the finished staging run sees now; returns the evidence file. */
export async function recordStagingEvidence(
  options: RunOptions,
  plan: UpgradePlan,
  checks: readonly GateName[],
): Promise<string> {
  const after = await observeLiveState(options.cluster, options.clients);
  const healthy = after.nodes.every(
    (node) =>
      node.ready &&
      sameVersion(node.talosVersion, plan.target.talos) &&
      sameVersion(node.kubeletVersion, plan.target.kubernetes),
  );
  const etcd = await inspectEtcd(options.clients.etcd);
  const key = await loadEvidenceKey(evidenceKeyFile(options), { create: true });
  return recordEvidence(
    options.evidenceDir,
    {
      version: 2,
      cluster: options.cluster.name,
      environment: "staging",
      identity: { etcdClusterId: etcd.clusterId ?? "unknown", vip: options.cluster.api.vip },
      talos: plan.target.talos,
      kubernetes: plan.target.kubernetes,
      healthy,
      recordedAt: new Date().toISOString(),
      nodes: after.nodes.map((node) => ({
        hostname: node.hostname,
        talos: node.talosVersion,
        kubelet: node.kubeletVersion,
        ready: node.ready,
      })),
      checks: checks.map((gate) => ({ gate, detail: "passed" })),
    },
    key,
  );
}
