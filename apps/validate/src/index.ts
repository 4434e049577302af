// @kubeforge/validate: offline and live validation of a kubeforge clusters/ tree.

export { type ChartCache, defaultChartCacheDir, openChartCache } from "./charts/chart-cache.js";
export { type ChartFiles, ChartReadError, chartFromFiles, readChartArchive } from "./charts/chart-files.js";
export { CHART_RULE, type ChartCheckOptions, chartRule, checkCharts } from "./charts/check-charts.js";
export { checkValues, type ValuesIssue } from "./charts/check-values.js";
export { formatOutdated, type OutdatedEntry, outdatedCharts, outdatedReleases } from "./charts/outdated.js";
export { parseValidateConfig, readValidateConfig, type ValidateConfig, validateConfigSchema } from "./config-file.js";
export { ValidateError, type ValidateErrorCode } from "./errors.js";
export { applyExceptions, IGNORE_ANNOTATION, parseIgnoreAnnotation } from "./exceptions.js";
export { type Finding, type Severity, type SuppressedFinding, sortFindings } from "./finding.js";
export { type KustomizeBuild, type KustomizeResult, kubectlKustomize } from "./kustomize/kustomize-build.js";
export { type CheckLiveOptions, checkLive } from "./live/check-live.js";
export { compareDeclared, type Difference } from "./live/compare-declared.js";
export { checkNodes, checkPods, checkWarningEvents, type DoctorApis, runDoctor } from "./live/doctor.js";
export { checkFluxReady } from "./live/flux-status.js";
export { type OpenKubeConfigOptions, openKubeConfig } from "./live/kube-client.js";
export { EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, exitCodeFor } from "./report/exit-code.js";
export { formatHumanReport, type HumanReportInput } from "./report/format-human.js";
export { OTHER_FINDING_RULES, RULES } from "./rules/index.js";
export type { Rule, RuleContext } from "./rules/rule.js";
export { crdVersionSchemas, toStrictSchema } from "./schemas/crd-schema.js";
export { readKubernetesSchemas, readKubernetesValidators } from "./schemas/schema-files.js";
export { SchemaRegistry } from "./schemas/schema-registry.js";
export type { DecryptYaml, NotCheckedFile, ValidateTalosResult } from "./talos/validate-talos.js";
export { parseManifestText } from "./tree/load-documents.js";
export {
  runRules,
  type ValidateTreeOptions,
  type ValidationReport,
  type ValidationStats,
  validateTree,
} from "./validate-tree.js";
