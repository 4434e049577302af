// Decrypts SOPS-encrypted Talos configs in memory with @kubeforge/sops, when an age key is available.
import { decryptText, loadAgeIdentities } from "@kubeforge/sops";
import type { DecryptYaml } from "./validate-talos.js";

/** A decryptor using SOPS_AGE_KEY / SOPS_AGE_KEY_FILE / keys.txt; undefined when no identity is found. */
export async function sopsDecryptor(env: NodeJS.ProcessEnv = process.env): Promise<DecryptYaml | undefined> {
  const identities = await loadAgeIdentities(env);
  if (identities.length === 0) return undefined;
  return (ciphertext, file) => decryptText(ciphertext, { format: "yaml", identities, file });
}
