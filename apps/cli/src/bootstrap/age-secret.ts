// What goes into flux-system/<decryptionSecret>: only the identities of the key file whose public key is one of the
// cluster's sops.ageRecipients. A keys.txt often holds keys for other clusters and projects; none of those may leave
// the workstation.
import { parseIdentities, recipientOf } from "@kubeforge/sops";
import { CliError } from "../errors.js";

export interface ClusterIdentities {
  /** The secret's `age.agekey` text: one matching identity per line, each after a `# public key:` comment. */
  readonly text: string;
  readonly recipients: readonly string[];
  /** How many identities in the file were left out. */
  readonly skipped: number;
}

export async function clusterIdentities(
  keyFileText: string,
  clusterRecipients: readonly string[],
  keyFile: string,
): Promise<ClusterIdentities> {
  const wanted = new Set(clusterRecipients);
  const lines: string[] = [];
  const recipients: string[] = [];
  let skipped = 0;
  for (const identity of parseIdentities(keyFileText)) {
    let recipient: string;
    try {
      recipient = await recipientOf(identity);
    } catch {
      skipped++;
      continue;
    }
    if (!wanted.has(recipient) || recipients.includes(recipient)) {
      skipped++;
      continue;
    }
    recipients.push(recipient);
    lines.push(`# public key: ${recipient}`, identity);
  }
  if (recipients.length === 0) {
    throw new CliError(
      "E_KEY",
      `${keyFile} holds no private key for this cluster's sops.ageRecipients (${clusterRecipients.join(", ") || "none"})`,
      "point SOPS_AGE_KEY_FILE (or clusters/<name>/.kubeforge/age-key-file) at the key file whose public key is in sops.ageRecipients",
    );
  }
  return { text: `${lines.join("\n")}\n`, recipients, skipped };
}
