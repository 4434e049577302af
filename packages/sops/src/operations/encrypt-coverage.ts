// Which documents an encryption would leave entirely in clear text: a selection rule (say encrypted_regex
// ^(data|stringdata)$, a typo for stringData) that matches none of a Secret's keys makes sops write its values in
// the clear under sops metadata, and exit 0. Pure; the encrypt command warns or refuses with what this finds.

import type { EncryptionRules } from "../rules-match.js";
import { shouldEncrypt } from "../rules-match.js";
import { Comment, TreeMap, TreeSeq, type TreeValue } from "../tree.js";

/** A document with values, none of which the rules select. */
export interface UnencryptedDocument {
  /** 0-based index among the file's documents (YAML `---`). */
  readonly index: number;
  /** How many (non-null) values it has. */
  readonly values: number;
  /** Its top-level keys, to show what the rule should have matched. */
  readonly keys: readonly string[];
}

/** Counts a document's non-null values and those the rules would encrypt (walked as encryptBranches walks). */
function countValues(value: TreeValue, path: readonly string[], rules: EncryptionRules): [number, number] {
  const children: [TreeValue, readonly string[]][] =
    value instanceof TreeMap
      ? value.entries().map((entry) => [entry.value, [...path, entry.key]])
      : value instanceof TreeSeq
        ? value.items.filter((item) => !(item instanceof Comment)).map((item) => [item as TreeValue, path])
        : [];
  if (value instanceof TreeMap || value instanceof TreeSeq) {
    let total = 0;
    let encrypted = 0;
    for (const [child, at] of children) {
      const [t, e] = countValues(child, at, rules);
      total += t;
      encrypted += e;
    }
    return [total, encrypted];
  }
  if (value === null) return [0, 0];
  return [1, shouldEncrypt(path, rules) ? 1 : 0];
}

/** The documents that have values but would get none of them encrypted under `rules` (the effective rules). */
export function findUnencryptedDocuments(branches: readonly TreeMap[], rules: EncryptionRules): UnencryptedDocument[] {
  const found: UnencryptedDocument[] = [];
  branches.forEach((branch, index) => {
    const [values, encrypted] = countValues(branch, [], rules);
    if (values > 0 && encrypted === 0) {
      found.push({ index, values, keys: branch.entries().map((entry) => entry.key) });
    }
  });
  return found;
}
