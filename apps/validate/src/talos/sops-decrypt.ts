// Decrypts SOPS-encrypted Talos configs in memory with @kubeforge/sops, when an age key is available.
import { decryptText, loadAgeIdentities } from "@kubeforge/sops";
import { ValidateError } from "../errors.js";
import type { DecryptYaml } from "./validate-talos.js";

/** A decryptor using SOPS_AGE_KEY / SOPS_AGE_KEY_FILE / keys.txt; undefined when no identity is found. */
export async function sopsDecryptor(env: NodeJS.ProcessEnv = process.env): Promise<DecryptYaml | undefined> {
  let identities: string[];
  try {
    identities = await loadAgeIdentities(env);
  } catch (cause) {
    throw new ValidateError(
      "E_READ",
      `cannot load the age key to decrypt Talos configs: ${(cause as Error).message}`,
      "fix or unset SOPS_AGE_KEY_FILE / SOPS_AGE_KEY",
      { cause },
    );
  }
  if (identities.length === 0) return undefined;
  return (ciphertext, file) => decryptText(ciphertext, { format: "yaml", identities, file });
}
