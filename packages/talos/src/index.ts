// @kubeforge/talos: secrets bundle, machine configs, talosconfig and schema validation for Talos Linux.

export { SUPPORTED_MINORS, type TalosMinor, talosMinor } from "./config/contract.js";
export { type ConfigDocument, documentId } from "./config/documents.js";
export { applyPatches, type LocatedPatch } from "./config/patches.js";
export {
  type MachineConfig,
  renderMachineConfig,
  renderMachineConfigs,
  stringifyMachineConfig,
} from "./config/render.js";
export { formatTalosIssue, TalosError, type TalosErrorCode, type TalosIssue } from "./errors.js";
export { type ApplyOptions, type ApplyStep, applyConfigs } from "./io/apply.js";
export { createBundleFile, readBundle } from "./io/bundle-store.js";
export { type CheckOutputOptions, type CheckOutputResult, checkTalosOutput } from "./io/check-output.js";
export { type GenerateOutputOptions, type GenerateOutputResult, generateTalosOutput } from "./io/generate-output.js";
export { machineConfigFile, type TalosLayout, talosconfigFile, talosLayout } from "./io/layout.js";
export { resolveOidcCa } from "./io/oidc-ca.js";
export { COMMAND_NOT_FOUND, withPipeStdin } from "./io/stdin-pipe.js";
export { SCHEMA_RELEASES } from "./schema/schema-files.js";
export { validateConfigDocuments, validateConfigText } from "./schema/validate-config.js";
export { type BundleCa, type SecretsBundle, secretsBundleSchema } from "./secrets/bundle.js";
export { type EtcdClientCertificate, issueEtcdClientCertificate } from "./secrets/etcd-client.js";
export { generateBundle, generateToken } from "./secrets/generate-bundle.js";
export { decodePem, encodePem, toStandardPem } from "./secrets/pem.js";
export { type CertificateAndKey, createCertificateAuthority, issueCertificate } from "./secrets/pki.js";
export { bundleCa, parseBundle, stringifyBundle, validateBundle } from "./secrets/read-bundle.js";
export type { SealFormat, SealOptions, SecretSealer } from "./store/sealer.js";
export { createSopsSealer, type SopsApi } from "./store/sops-sealer.js";
export {
  issueAdminCertificate,
  type RenderedTalosconfig,
  type RenderTalosconfigOptions,
  renderTalosconfig,
  TALOSCONFIG_RENEW_DAYS,
  type Talosconfig,
} from "./talosconfig.js";
