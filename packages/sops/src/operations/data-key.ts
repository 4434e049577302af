// Recovers the data key from the metadata's age entries, or explains why it cannot.
import { SopsError } from "../errors.js";
import { unwrapDataKey } from "../keys/age.js";
import type { SopsMetadata } from "../metadata.js";
import { combineShares, shamirProblem } from "../shamir.js";

export interface DataKeyOptions {
  readonly identities: readonly string[];
  readonly file?: string;
}

async function unwrapGroup(
  meta: SopsMetadata,
  index: number,
  identities: readonly string[],
): Promise<Uint8Array | undefined> {
  const group = meta.keyGroups[index]!;
  for (const entry of group.age) {
    const key = await unwrapDataKey(entry.enc, identities);
    if (key) return key;
  }
  return undefined;
}

/** Opens the data key with the given identities (all groups, Shamir when there are several). */
export async function obtainDataKey(meta: SopsMetadata, options: DataKeyOptions): Promise<Uint8Array> {
  const { file, identities } = options;
  const ageCount = meta.keyGroups.reduce((n, g) => n + g.age.length, 0);
  if (ageCount === 0) {
    const kinds = [...new Set(meta.keyGroups.flatMap((g) => Object.keys(g.others)))].join(", ");
    throw new SopsError(
      "E_SOPS_UNSUPPORTED",
      `the file is encrypted only to ${kinds || "non-age"} keys: PGP is not supported; re-encrypt to age`,
      {
        file,
        hint: "decrypt it once with the Go sops and re-encrypt it with an age recipient",
      },
    );
  }
  if (identities.length === 0) {
    throw new SopsError("E_SOPS_NO_IDENTITY", "no age identity found to decrypt the data key", {
      file,
      hint: "set SOPS_AGE_KEY_FILE (or SOPS_AGE_KEY) to your age key, or put it in ~/.config/sops/age/keys.txt",
    });
  }
  const groups = meta.keyGroups.length;
  if (groups === 1) {
    const key = await unwrapGroup(meta, 0, identities);
    if (key) return key;
  } else {
    const threshold = meta.shamirThreshold ?? groups;
    const problem = shamirProblem(groups, threshold);
    if (problem) {
      throw new SopsError("E_SOPS_METADATA", `invalid Shamir parameters: ${problem}`, {
        file,
        path: "sops.shamir_threshold",
        hint: "the file cannot be decrypted as written; restore it from version control",
      });
    }
    const shares: Uint8Array[] = [];
    for (let i = 0; i < groups && shares.length < threshold; i++) {
      const share = await unwrapGroup(meta, i, identities);
      if (share) shares.push(share);
    }
    if (shares.length >= threshold) return combineShares(shares);
  }
  const recipients = meta.keyGroups.flatMap((g) => g.age.map((e) => e.recipient)).join(", ");
  throw new SopsError("E_SOPS_NO_KEY", `none of the ${identities.length} age identities can decrypt the data key`, {
    file,
    hint: `the file is encrypted to ${recipients}; use a matching key in SOPS_AGE_KEY_FILE`,
  });
}
