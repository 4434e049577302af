// A SOPS file whose MAC no longer matches: a value was changed without sops, typically an unencrypted field edited
// by hand (a Secret's metadata.namespace) after encryption. Flux's kustomize-controller verifies the MAC when it
// decrypts ("failed to verify sops data integrity: expected mac …", internal/decryptor), so the Kustomization that
// holds the file stops reconciling; sops and `kubeforge secrets edit|decrypt` refuse it too. Checked only where a
// key opens the file: decrypting is the only way to recompute the MAC.
import path from "node:path";
import type { Finding } from "../finding.js";
import { isSopsEncrypted } from "../rules/secret-generators.js";
import type { DecryptYaml } from "../talos/validate-talos.js";
import type { TreeFile } from "../tree/load-documents.js";
import { secretSourceOf } from "./sops-fix.js";

export const SOPS_MAC_RULE = "sops-mac";

/**
 * One error per SOPS file (outside `skipDir`, which has its own check) that decrypts with the key at hand but
 * whose MAC does not match. Files no key opens, and any other failure, are left to the rules that report them.
 */
export async function checkSopsMacs(
  files: readonly TreeFile[],
  options: { decrypt: DecryptYaml; skipDir?: string; clusterDir?: string },
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const skip = options.skipDir ? `${path.resolve(options.skipDir)}${path.sep}` : undefined;
  const checked = new Set(files.map((file) => path.resolve(file.absolutePath)));
  for (const file of files) {
    if (skip && file.absolutePath.startsWith(skip)) continue;
    if (!isSopsEncrypted(file.content)) continue;
    // the copy `kubeforge build` made of a file in secrets/: the source's finding says it (and is what to fix)
    const source = secretSourceOf(file.absolutePath, options.clusterDir);
    if (source && checked.has(path.resolve(source))) continue;
    try {
      await options.decrypt(file.content, file.path);
    } catch (error) {
      if ((error as { code?: string }).code !== "E_SOPS_MAC_MISMATCH") continue;
      const sops = options.clusterDir ? "pnpm exec kubeforge secrets" : "pnpm exec kubeforge-sops";
      findings.push({
        rule: SOPS_MAC_RULE,
        severity: "error",
        file: file.path,
        path: "sops.mac",
        message:
          "MAC mismatch: a value was changed without sops (an unencrypted field edited by hand?). Flux refuses to decrypt it (failed to verify sops data integrity), so its Kustomization stops reconciling; sops and `kubeforge secrets edit` refuse it too",
        hint: `if the change is meant, seal it again: ${sops} decrypt -i --ignore-mac ${file.path}, then ${sops} encrypt -i ${file.path}; if not, restore the file from version control (git checkout -- ${file.path})`,
      });
    }
  }
  return findings;
}
