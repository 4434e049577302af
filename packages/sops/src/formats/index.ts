// Format dispatch: reads a file into branches (+ its raw `sops` metadata) and writes them back.
import { SopsError } from "../errors.js";
import { Comment, type Plain, plainToTree, TreeMap, treeToPlain } from "../tree.js";
import { emitBinary, parseBinary } from "./binary.js";
import { emitDotenv, parseDotenv } from "./dotenv.js";
import { flattenMetadata, unflattenMetadata } from "./flatten.js";
import { emitIni, parseIni } from "./ini.js";
import { emitJson, parseJson } from "./json.js";
import { parseYaml } from "./yaml.js";
import { emitYaml } from "./yaml-emit.js";

export type SopsFormat = "yaml" | "json" | "dotenv" | "ini" | "binary";
export const SOPS_FORMATS: readonly SopsFormat[] = ["yaml", "json", "dotenv", "ini", "binary"];

export interface StoreOptions {
  /** YAML indent (default 4) or JSON indent (default -1: tab), like `.sops.yaml` `stores`. */
  readonly yamlIndent?: number;
  readonly jsonIndent?: number;
}

export type RawMetadata = { [key: string]: Plain };

/** The format sops picks from a file name: .yaml/.yml, .json, .env, .ini, anything else binary. */
export function formatFromPath(file: string): SopsFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".env")) return "dotenv";
  if (lower.endsWith(".ini")) return "ini";
  return "binary";
}

export function toText(input: string | Uint8Array): string {
  return typeof input === "string" ? input : Buffer.from(input).toString("utf8");
}

function splitSops(branch: TreeMap): { branch: TreeMap; sops?: RawMetadata } {
  let sops: RawMetadata | undefined;
  const items = branch.items.filter((item) => {
    if (item instanceof Comment || item.key !== "sops") return true;
    const plain = treeToPlain(item.value);
    if (plain !== null && typeof plain === "object" && !Array.isArray(plain)) sops = plain;
    return false;
  });
  return sops ? { branch: new TreeMap(items), sops } : { branch: new TreeMap(items) };
}

/** Parses a file in any format into branches, separating sops metadata (undefined for plaintext). */
export function parseDocument(
  input: string | Uint8Array,
  format: SopsFormat,
  options: { encrypted: boolean },
): { branches: TreeMap[]; metadata?: RawMetadata } {
  switch (format) {
    case "yaml": {
      const branches = parseYaml(toText(input)).map(splitSops);
      const metadata = branches[0]?.sops;
      return metadata
        ? { branches: branches.map((b) => b.branch), metadata }
        : { branches: branches.map((b) => b.branch) };
    }
    case "json":
    case "binary": {
      if (format === "binary" && !options.encrypted) return { branches: [parseBinary(input)] };
      const { branch, sops } = splitSops(parseJson(toText(input)));
      return sops ? { branches: [branch], metadata: sops } : { branches: [branch] };
    }
    case "dotenv": {
      const branch = parseDotenv(toText(input));
      const pairs: Array<[string, string]> = [];
      const items = branch.items.filter((item) => {
        if (item instanceof Comment || !item.key.startsWith("sops_")) return true;
        pairs.push([item.key.slice(5), String(item.value)]);
        return false;
      });
      const data = new TreeMap(items);
      return pairs.length ? { branches: [data], metadata: unflattenMetadata(pairs) } : { branches: [data] };
    }
    case "ini": {
      const { branch, sopsSection } = parseIni(toText(input));
      return sopsSection ? { branches: [branch], metadata: unflattenMetadata(sopsSection) } : { branches: [branch] };
    }
  }
}

function single(branches: readonly TreeMap[], format: SopsFormat): TreeMap {
  if (branches.length > 1) {
    throw new SopsError(
      "E_SOPS_UNSUPPORTED",
      `a ${format} file holds one document, but the input has ${branches.length}`,
      {
        hint: "split the YAML documents or keep the yaml output type",
      },
    );
  }
  return branches[0] ?? new TreeMap();
}

/** Writes encrypted branches with the metadata block in the format's own place. */
export function emitEncryptedDocument(
  branches: readonly TreeMap[],
  metadata: RawMetadata,
  format: SopsFormat,
  options: StoreOptions = {},
): string {
  const withSops = (branch: TreeMap) => new TreeMap([...branch.items, { key: "sops", value: plainToTree(metadata) }]);
  switch (format) {
    case "yaml":
      return emitYaml((branches.length ? branches : [new TreeMap()]).map(withSops), { indent: options.yamlIndent });
    case "json":
    case "binary":
      return emitJson(withSops(single(branches, format)), { indent: options.jsonIndent });
    case "dotenv":
      return emitDotenv(single(branches, format), flattenMetadata(metadata));
    case "ini":
      return emitIni(single(branches, format), flattenMetadata(metadata));
  }
}

/** Writes decrypted branches (bytes for the binary format). */
export function emitPlainDocument(
  branches: readonly TreeMap[],
  format: SopsFormat,
  options: StoreOptions = {},
): string | Uint8Array {
  switch (format) {
    case "yaml":
      return emitYaml(branches.length ? branches : [new TreeMap()], { indent: options.yamlIndent });
    case "json":
      return emitJson(single(branches, format), { indent: options.jsonIndent });
    case "binary":
      return emitBinary(branches[0]);
    case "dotenv":
      return emitDotenv(single(branches, format));
    case "ini":
      return emitIni(single(branches, format));
  }
}
