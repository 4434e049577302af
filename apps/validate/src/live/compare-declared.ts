// Pure comparison for drift: every field the tree declares must have the same value in the live object.
// Fields the server adds (defaults, status, managed metadata) are not drift.
import { formatPath } from "../finding.js";
import { isRecord } from "../rules/rule.js";

export interface Difference {
  readonly path: string;
  readonly keys: (string | number)[];
  readonly declared: unknown;
  readonly live: unknown;
}

/** Declared subtrees that are never compared: status, SOPS metadata, and Secret payloads (encrypted in Git). */
const SKIPPED_ROOTS = new Set(["status", "sops"]);

function sameScalar(declared: unknown, live: unknown): boolean {
  if (declared === live) return true;
  if (live instanceof Date) return typeof declared === "string" && new Date(declared).getTime() === live.getTime();
  // The API server may render numbers as strings (quantities, int-or-string) and vice versa.
  return (typeof declared === "number" || typeof declared === "string") && String(declared) === String(live);
}

export function compareDeclared(declared: unknown, live: unknown, options: { isSecret?: boolean } = {}): Difference[] {
  const out: Difference[] = [];
  const walk = (want: unknown, have: unknown, keys: (string | number)[]) => {
    if (isRecord(want)) {
      if (!isRecord(have)) {
        out.push({ path: formatPath(keys), keys, declared: want, live: have });
        return;
      }
      for (const [key, value] of Object.entries(want)) {
        if (
          keys.length === 0 &&
          (SKIPPED_ROOTS.has(key) || (options.isSecret && (key === "data" || key === "stringData")))
        )
          continue;
        walk(value, have[key], [...keys, key]);
      }
      return;
    }
    if (Array.isArray(want)) {
      if (!Array.isArray(have) || have.length !== want.length) {
        out.push({ path: formatPath(keys), keys, declared: want, live: have });
        return;
      }
      want.forEach((item, index) => {
        walk(item, have[index], [...keys, index]);
      });
      return;
    }
    if (!sameScalar(want, have)) out.push({ path: formatPath(keys), keys, declared: want, live: have });
  };
  walk(declared, live, []);
  return out;
}
