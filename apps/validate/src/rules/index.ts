// The rule set, in report order. Each rule lives in its own file.
import { releaseSecretsRule } from "../charts/release-secrets.js";
import { clusterAdminBindingRule } from "./cluster-admin-binding.js";
import { containerResourcesRule } from "./container-resources.js";
import { fluxCyclesRule } from "./flux-cycles.js";
import { fluxKustomizeBuildRule } from "./flux-kustomize-build.js";
import { fluxReferencesRule } from "./flux-references.js";
import { helmChartVersionRule } from "./helm-chart-version.js";
import { imagePinnedRule } from "./image-pinned.js";
import { namespaceDefaultDenyRule } from "./namespace-default-deny.js";
import { namespaceLimitRangeRule } from "./namespace-limit-range.js";
import { namespacePodSecurityRule } from "./namespace-pod-security.js";
import { namespaceResourceQuotaRule } from "./namespace-resource-quota.js";
import { noPlaintextSecretsRule } from "./no-plaintext-secrets.js";
import { sopsRecipientsRule } from "./recipients.js";
import type { Rule } from "./rule.js";
import { schemaRule } from "./schema.js";

export const RULES: readonly Rule[] = [
  schemaRule,
  fluxReferencesRule,
  fluxCyclesRule,
  fluxKustomizeBuildRule,
  namespacePodSecurityRule,
  namespaceResourceQuotaRule,
  namespaceLimitRangeRule,
  namespaceDefaultDenyRule,
  containerResourcesRule,
  imagePinnedRule,
  clusterAdminBindingRule,
  noPlaintextSecretsRule,
  sopsRecipientsRule,
  helmChartVersionRule,
  releaseSecretsRule,
];

/** Rule ids that are not in RULES but can appear in reports (offline ones also in exceptions). */
export const OTHER_FINDING_RULES = [
  "yaml-syntax",
  // The chart check (charts/check-charts.ts) needs the network or the cache, so the CLI adds it to RULES.
  "helm-chart",
  "unknown-kind",
  "talos-schema",
  "cluster-model",
  "invalid-exception",
  "unused-exception",
  "drift",
  "flux-ready",
  "node-ready",
  "pod-phase",
  "warning-event",
] as const;
