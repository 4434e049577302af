// Recovers the data key from the metadata's age entries, or explains in one line why it cannot.
import { SopsError } from "../errors.js";
import { recipientOf, unwrapDataKey } from "../keys/age.js";
import { decodeArmor } from "../keys/armor.js";
import { type Identities, isKeySource, type KeySource, staticKeySource } from "../keys/sources.js";
import type { SopsMetadata } from "../metadata.js";
import { combineShares, shamirProblem } from "../shamir.js";

export interface DataKeyOptions {
  /** Identity strings, or a KeySource (per-recipient lookup, as sops does). */
  readonly identities: Identities;
  readonly file?: string;
}

export function toKeySource(identities: Identities): KeySource {
  return isKeySource(identities) ? identities : staticKeySource(identities);
}

async function unwrapGroup(
  meta: SopsMetadata,
  index: number,
  source: KeySource,
): Promise<{ key: Uint8Array; recipient: string } | undefined> {
  for (const entry of meta.keyGroups[index]!.age) {
    const identities = await source.identitiesFor(entry.recipient);
    const key = await unwrapDataKey(entry.enc, identities);
    if (key) return { key, recipient: entry.recipient };
  }
  return undefined;
}

/**
 * Why no identity opened the data key when the file, not the key, is at fault: an `enc` that is not a whole age
 * file (the file was cut off), or an entry whose recipient is the public key of an identity we hold, which then
 * does not open it (its stanza was damaged or tampered with). Without this, both read "no age identity can
 * decrypt", and the user goes looking for another key. Only on the failure path (it loads age-encryption).
 */
async function damageOf(meta: SopsMetadata, source: KeySource): Promise<string[]> {
  const found: string[] = [];
  for (const [g, group] of meta.keyGroups.entries()) {
    for (const [i, entry] of group.age.entries()) {
      const where = meta.keyGroups.length > 1 ? `sops.key_groups[${g}].age[${i}]` : `sops.age[${i}]`;
      try {
        decodeArmor(entry.enc);
      } catch {
        found.push(`${where}.enc is not a complete age file`);
        continue;
      }
      if (!entry.recipient.startsWith("age1")) continue;
      for (const identity of await source.identitiesFor(entry.recipient)) {
        if (!identity.startsWith("AGE-SECRET-KEY-1")) continue;
        const held = await recipientOf(identity).catch(() => undefined);
        if (held === entry.recipient) {
          found.push(`${where} is for ${entry.recipient}, whose identity you hold, and it does not open with it`);
          break;
        }
      }
    }
  }
  return found;
}

/** The data key and the recipients whose entries the identities opened (public keys, never identities). */
export interface OpenedDataKey {
  readonly key: Uint8Array;
  readonly openedBy: readonly string[];
}

/** Opens the data key with the given identities (all groups, Shamir when there are several). */
export async function obtainDataKey(meta: SopsMetadata, options: DataKeyOptions): Promise<Uint8Array> {
  return (await openDataKey(meta, options)).key;
}

/** obtainDataKey, also saying which recipients' entries opened it (updatekeys names them in a lock-out). */
export async function openDataKey(meta: SopsMetadata, options: DataKeyOptions): Promise<OpenedDataKey> {
  const { file } = options;
  const source = toKeySource(options.identities);
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
  const groups = meta.keyGroups.length;
  if (groups === 1) {
    const opened = await unwrapGroup(meta, 0, source);
    if (opened) return { key: opened.key, openedBy: [opened.recipient] };
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
    const openedBy: string[] = [];
    for (let i = 0; i < groups; i++) {
      const share = await unwrapGroup(meta, i, source);
      if (!share) continue;
      shares.push(share.key);
      openedBy.push(share.recipient);
    }
    if (shares.length >= threshold) return { key: await combineShares(shares), openedBy };
  }
  const damage = await damageOf(meta, source);
  if (damage.length > 0) {
    throw new SopsError("E_SOPS_NO_KEY", `the data key cannot be opened: ${damage.join("; ")}`, {
      file,
      hint: `the file is damaged (cut off, or edited by hand): restore it from version control${file ? `, e.g. git checkout -- ${file}` : ""}`,
    });
  }
  const recipients = meta.keyGroups.flatMap((g) =>
    g.age.map((e) => e.recipient.split(/\s+/).slice(0, 2).join(" ") || "(an entry without a recipient)"),
  );
  // one line: the recipients it needs and every key source tried with what it gave
  throw new SopsError(
    "E_SOPS_NO_KEY",
    `no age identity can decrypt the data key (encrypted to ${recipients.join(", ")}${
      groups > 1 ? `; ${meta.shamirThreshold ?? groups} of ${groups} key groups needed` : ""
    }); tried: ${source.describe()}`,
    { file, hint: "provide a matching key in one of these sources" },
  );
}
