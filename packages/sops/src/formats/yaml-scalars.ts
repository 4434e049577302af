// yaml.v3's scalar resolution (what Go sops sees when it decodes YAML), and the quoting go-yaml applies
// on output. A YAML 1.2 parser differs (017, 1_000, 0b101, timestamps), which would change MACs.
import { SopsError } from "../errors.js";
import { parseGoIntBase0 } from "../go-format.js";
import { normalizeTimestamp } from "../timestamp.js";
import { type Leaf, SopsTime } from "../tree.js";

const RESOLVE_MAP = new Map<string, Leaf>([
  ["", null],
  ["~", null],
  ["null", null],
  ["Null", null],
  ["NULL", null],
  ["true", true],
  ["True", true],
  ["TRUE", true],
  ["false", false],
  ["False", false],
  ["FALSE", false],
  [".nan", Number.NaN],
  [".NaN", Number.NaN],
  [".NAN", Number.NaN],
  [".inf", Number.POSITIVE_INFINITY],
  [".Inf", Number.POSITIVE_INFINITY],
  [".INF", Number.POSITIVE_INFINITY],
  ["+.inf", Number.POSITIVE_INFINITY],
  ["+.Inf", Number.POSITIVE_INFINITY],
  ["+.INF", Number.POSITIVE_INFINITY],
  ["-.inf", Number.NEGATIVE_INFINITY],
  ["-.Inf", Number.NEGATIVE_INFINITY],
  ["-.INF", Number.NEGATIVE_INFINITY],
]);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const OLD_BOOLS = new Set(["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO"]);
for (const word of ["on", "On", "ON", "off", "Off", "OFF"]) OLD_BOOLS.add(word);
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

function tooLarge(text: string): SopsError {
  return new SopsError(
    "E_SOPS_ENCRYPT",
    `integer ${text} does not fit in int64 (sops fails with "unknown type uint64")`,
    {
      hint: "quote it to keep it a string",
    },
  );
}

/** Resolves an untagged plain scalar like yaml.v3 decoding into interface{}. */
export function resolvePlainScalar(text: string): Leaf {
  if (RESOLVE_MAP.has(text)) return RESOLVE_MAP.get(text) as Leaf;
  const first = text[0] ?? "";
  if (first === ".") {
    const value = Number(text);
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) && !Number.isNaN(value) ? value : text;
  }
  if (/[0-9+-]/.test(first)) {
    if (/[0-9]/.test(first)) {
      const time = normalizeTimestamp(text);
      if (time !== undefined) return new SopsTime(time);
    }
    const plain = text.replaceAll("_", "");
    const int = parseGoIntBase0(plain);
    if (int !== undefined) return int;
    if (/^[+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.test(plain)) throw tooLarge(text);
    if (YAML_STYLE_FLOAT.test(plain)) return Number(plain);
  }
  return text;
}

/** Resolves a scalar with an explicit tag (`!!str`, `!!int`, …). Unknown tags resolve like plain scalars. */
export function resolveTaggedScalar(tag: string, text: string, quoted: boolean): Leaf {
  const short = tag.replace(/^tag:yaml\.org,2002:/, "!!");
  const fail = () => new SopsError("E_SOPS_PARSE", `cannot decode ${JSON.stringify(text)} as ${short}`);
  switch (short) {
    case "!!str":
      return text;
    case "!!binary": {
      const bytes = Buffer.from(text.replace(/\s+/g, ""), "base64");
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        return new Uint8Array(bytes);
      }
    }
    case "!!null":
      return null;
    case "!!bool": {
      const value = RESOLVE_MAP.get(text);
      if (typeof value !== "boolean") throw fail();
      return value;
    }
    case "!!int": {
      const value = parseGoIntBase0(text.replaceAll("_", ""));
      if (value === undefined) throw fail();
      return value;
    }
    case "!!float": {
      const special = RESOLVE_MAP.get(text);
      if (typeof special === "number") return special;
      const value = resolvePlainScalar(text);
      if (typeof value === "bigint") return Number(value);
      if (typeof value !== "number") throw fail();
      return value;
    }
    case "!!timestamp": {
      const value = normalizeTimestamp(text);
      if (value === undefined) throw fail();
      return new SopsTime(value);
    }
    default:
      return quoted ? text : resolvePlainScalar(text);
  }
}

/** True when go-yaml would double-quote this string (it would otherwise read back as another type). */
export function mustQuoteString(text: string): boolean {
  if (OLD_BOOLS.has(text) || BASE60_FLOAT.test(text) || text === "<<") return true;
  try {
    return resolvePlainScalar(text) !== text;
  } catch {
    return true;
  }
}
