// sops --extract: one value or subtree out of a decrypted document, by a `["a"]["b"][0]` path.
import { SopsError } from "../errors.js";
import { emitPlainDocument, type SopsFormat, type StoreOptions } from "../formats/index.js";
import { formatFloatF } from "../go-format.js";
import { Comment, SopsTime, TreeMap, TreeSeq, type TreeValue } from "../tree.js";

/** Parses `["data"]["key"][0]` into keys and indices. */
export function parseExtractPath(expression: string): Array<string | number> {
  const parts: Array<string | number> = [];
  const pattern = /\[\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\d+))\s*\]/gy;
  let match: RegExpExecArray | null;
  let end = 0;
  for (;;) {
    match = pattern.exec(expression);
    if (!match) break;
    end = pattern.lastIndex;
    if (match[1] !== undefined) parts.push(JSON.parse(`"${match[1]}"`) as string);
    else if (match[2] !== undefined) parts.push(match[2]);
    else parts.push(Number(match[3]));
  }
  if (end !== expression.trim().length || parts.length === 0) {
    throw new SopsError("E_SOPS_EXTRACT", `invalid --extract path ${JSON.stringify(expression)}`, {
      hint: `write it like '["data"]["password"]'`,
    });
  }
  return parts;
}

/** Returns the bytes sops prints for an extracted value: scalars raw, subtrees in the output format. */
export function extractPath(
  branch: TreeMap,
  expression: string,
  options: StoreOptions & { output: SopsFormat; file?: string },
): Uint8Array {
  let node: TreeValue = branch;
  for (const part of parseExtractPath(expression)) {
    let next: TreeValue | undefined;
    if (typeof part === "number" && node instanceof TreeSeq) {
      next = node.items.filter((i) => !(i instanceof Comment))[part] as TreeValue | undefined;
    } else if (node instanceof TreeMap) next = node.get(String(part));
    if (next === undefined) {
      throw new SopsError("E_SOPS_EXTRACT", `component ${JSON.stringify(part)} not found`, {
        file: options.file,
        path: expression,
      });
    }
    node = next;
  }
  if (node instanceof TreeMap)
    return Buffer.from(emitPlainDocument([node], options.output === "binary" ? "yaml" : options.output, options));
  if (node instanceof TreeSeq) {
    return Buffer.from(emitPlainDocument([new TreeMap([{ key: "items", value: node }])], "json", options));
  }
  if (node instanceof Uint8Array) return node;
  if (node === null) return Buffer.from("null");
  if (typeof node === "number") return Buffer.from(formatFloatF(node));
  if (node instanceof SopsTime) return Buffer.from(node.text);
  return Buffer.from(typeof node === "boolean" ? (node ? "true" : "false") : String(node));
}
