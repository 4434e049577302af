// @kubeforge/sops: SOPS (age) in pure TypeScript, compatible with sops 3.13 and Flux.

export {
  type ConfirmUpdate,
  type UpdateKeysFilesOptions,
  type UpdateKeysFilesResult,
  updateKeysFiles,
} from "./commands/updatekeys.js";
export { SopsError, type SopsErrorCode } from "./errors.js";
export { formatFromPath, type SopsFormat } from "./formats/index.js";
export { defaultKeysFile, loadAgeIdentities, parseIdentities, recipientOf } from "./keys/age.js";
export { type Identities, type KeySource, keySourceFromEnv } from "./keys/sources.js";
export { type DecryptTextOptions, decryptText, decryptToBytes } from "./operations/decrypt.js";
export { type EncryptTextOptions, encryptText } from "./operations/encrypt.js";
export { isSopsEncrypted } from "./operations/filestatus.js";
export { type OpenedDocument, type OpenOptions, openDocument } from "./operations/open.js";
export { readRecipients } from "./operations/recipients.js";
export { type RotateOptions, rotateText } from "./operations/rotate.js";
export {
  type LockoutCase,
  lockoutError,
  type UpdateKeysOptions,
  type UpdateKeysResult,
  updateKeysText,
} from "./operations/updatekeys.js";
export { findPlaintextSecrets, type PlaintextSecretFinding } from "./plaintext-secrets.js";
export { type CreationRule, findSopsConfig, matchCreationRule, type SopsConfig } from "./rules.js";
