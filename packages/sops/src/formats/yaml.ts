// YAML store input: the npm `yaml` AST (order and comments kept) to the sops tree, with yaml.v3's scalar
// resolution. Output is in yaml-emit.ts.
import type { Alias, Document, Node, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { SopsError } from "../errors.js";
import { yamlLibrary } from "../lazy.js";
import { Comment, type Leaf, TreeMap, TreeSeq, type TreeValue } from "../tree.js";
import { parseSimpleYaml } from "./yaml-fast.js";
import { resolvePlainScalar, resolveTaggedScalar } from "./yaml-scalars.js";

// the library's node guards, from the module loaded on first use (only YAML the fast reader hands over gets here)
const isAlias = (node: unknown): node is Alias => yamlLibrary().isAlias(node);
const isMap = (node: unknown): node is YAMLMap => yamlLibrary().isMap(node);
const isScalar = (node: unknown): node is Scalar => yamlLibrary().isScalar(node);
const isSeq = (node: unknown): node is YAMLSeq => yamlLibrary().isSeq(node);

type AnyDoc = Document.Parsed | Document;

function commentLines(text: string | null | undefined, inline = false): Comment[] {
  if (!text) return [];
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => new Comment(line, inline));
}

/** 1-based line of a source offset (line starts computed once per parse, only when an error needs them). */
function lineOf(walk: Walk, offset: number): number {
  if (!walk.lineStarts) {
    const starts = [0];
    for (let i = 0; i < walk.text.length; i++) if (walk.text.charCodeAt(i) === 10) starts.push(i + 1);
    walk.lineStarts = starts;
  }
  const starts = walk.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function pathText(path: readonly string[]): string {
  return path.length ? path.join(".") : "(root)";
}

function scalarToLeaf(node: Scalar, path: readonly string[]): Leaf {
  const text =
    node.source !== undefined && typeof node.value !== "string" ? String(node.source) : String(node.value ?? "");
  const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE";
  const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
  try {
    if (node.tag) return resolveTaggedScalar(node.tag, text, quoted || block);
    if (quoted || block) return text;
    return resolvePlainScalar(text);
  } catch (error) {
    throw error instanceof SopsError ? error.atPath(pathText(path)) : error;
  }
}

/** Deeper than this is refused: no real secret nests so deep, and recursion must not exhaust the stack. */
export const MAX_DEPTH = 1000;

/**
 * Aliases are expanded by our own walk (the library's maxAliasCount only guards its toJS), so we keep a
 * budget: the nodes produced through aliases may not exceed 10,000 plus ten times the document's own
 * nodes. A 470-byte "billion laughs" file asks for hundreds of millions and is refused at once.
 */
interface Walk {
  readonly doc: AnyDoc;
  readonly text: string;
  readonly seen: Set<unknown>;
  aliasBudget: number;
  lineStarts?: number[];
}

function countNodes(node: unknown): number {
  let count = 0;
  const stack: unknown[] = [node];
  while (stack.length) {
    const next = stack.pop();
    count++;
    if (isMap(next)) for (const pair of next.items) stack.push(pair.key, pair.value);
    else if (isSeq(next)) for (const item of next.items) stack.push(item);
  }
  return count;
}

function tooDeep(path: readonly string[]): SopsError {
  return new SopsError("E_SOPS_PARSE", `the document nests deeper than ${MAX_DEPTH} levels`, {
    path: pathText(path.slice(0, 5)) + (path.length > 5 ? ".…" : ""),
    hint: "flatten the structure; sops files this deep are not supported",
  });
}

function convert(node: unknown, walk: Walk, path: string[], depth: number): TreeValue {
  if (depth > MAX_DEPTH) throw tooDeep(path);
  if (isAlias(node)) {
    const target = (node as Alias).resolve(walk.doc);
    if (!target || walk.seen.has(target))
      throw new SopsError("E_SOPS_PARSE", "alias is undefined or recursive", { path: pathText(path) });
    walk.aliasBudget -= countNodes(target);
    if (walk.aliasBudget < 0) {
      throw new SopsError("E_SOPS_PARSE", "aliases expand to too many nodes (an alias bomb?)", {
        path: pathText(path),
        hint: "write the values out instead of nesting aliases",
      });
    }
    walk.seen.add(target);
    const value = convert(target, walk, path, depth);
    walk.seen.delete(target);
    return value;
  }
  if (isMap(node)) return convertMap(node, walk, path, depth);
  if (isSeq(node)) {
    const items: Array<TreeValue | Comment> = [...commentLines(node.commentBefore)];
    for (const item of node.items) {
      const withComments = item as Node;
      if (isScalar(item) || isAlias(item)) {
        items.push(...commentLines(withComments.commentBefore));
        if (withComments.comment) items.push(...commentLines(withComments.comment, true));
      }
      items.push(convert(item, walk, path, depth + 1));
    }
    items.push(...commentLines(node.comment));
    return new TreeSeq(items);
  }
  if (isScalar(node)) return scalarToLeaf(node, path);
  if (node === null || node === undefined) return null;
  throw new SopsError("E_SOPS_PARSE", "unsupported YAML node", { path: pathText(path) });
}

function convertMap(node: YAMLMap, walk: Walk, path: string[], depth: number): TreeMap {
  if (depth > MAX_DEPTH) throw tooDeep(path);
  const items: Array<{ key: string; value: TreeValue } | Comment> = [...commentLines(node.commentBefore)];
  // the library's uniqueKeys check compares every pair (quadratic); a Set is linear
  const keys = new Set<string>();
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    if (!isScalar(keyNode)) {
      throw new SopsError("E_SOPS_PARSE", "Tree contains a non-string key (complex mapping keys are not supported)", {
        path: pathText(path),
      });
    }
    const key = scalarToLeaf(keyNode, path);
    if (typeof key !== "string") {
      throw new SopsError(
        "E_SOPS_PARSE",
        `Tree contains a non-string key: ${String(keyNode.source ?? keyNode.value)}`,
        {
          path: pathText(path),
          hint: "quote the key",
        },
      );
    }
    if (keys.has(key)) {
      const line = keyNode.range ? lineOf(walk, keyNode.range[0]) : undefined;
      throw new SopsError("E_SOPS_PARSE", `duplicate key ${JSON.stringify(key)}${line ? ` at line ${line}` : ""}`, {
        path: pathText([...path, key]),
        hint: "remove or rename one of the two",
      });
    }
    keys.add(key);
    items.push(...commentLines(keyNode.commentBefore));
    if (keyNode.comment) items.push(...commentLines(keyNode.comment, true));
    const valueNode = pair.value as Node | null;
    if (isScalar(valueNode) || isAlias(valueNode)) {
      items.push(...commentLines(valueNode.commentBefore));
      if (valueNode.comment) items.push(...commentLines(valueNode.comment, true));
    }
    items.push({ key, value: convert(valueNode, walk, [...path, key], depth + 1) });
  }
  items.push(...commentLines(node.comment));
  return new TreeMap(items);
}

/** Parses every document of a YAML file into a branch. Top-level values must be mappings. */
export function parseYaml(text: string): TreeMap[] {
  return parseSimpleYaml(text) ?? parseYamlWithLibrary(text);
}

/** The full reader (the `yaml` library's document model): every YAML feature, comments kept. */
export function parseYamlWithLibrary(text: string): TreeMap[] {
  let docs: ReturnType<typeof import("yaml").parseAllDocuments>;
  try {
    docs = yamlLibrary().parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false, prettyErrors: false });
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep([]);
    throw error;
  }
  if (!Array.isArray(docs)) return [];
  const branches: TreeMap[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error && /Maximum call stack/.test(error.message)) throw tooDeep([]);
    if (error) {
      const line = error.linePos?.[0];
      throw new SopsError(
        "E_SOPS_PARSE",
        `invalid YAML${line ? ` at line ${line.line}, column ${line.col}` : ""}: ${error.message.split("\n")[0]}`,
      );
    }
    const contents = doc.contents as unknown;
    const head = commentLines(doc.commentBefore);
    const foot = commentLines(doc.comment);
    if (contents === null || (isScalar(contents) && contents.value === null && !contents.source)) {
      branches.push(new TreeMap([...head, ...foot]));
      continue;
    }
    if (!isMap(contents)) {
      throw new SopsError("E_SOPS_PARSE", "the top level of a YAML document must be a mapping", {
        hint: "sops cannot encrypt a top-level list or scalar",
      });
    }
    const walk: Walk = { doc, text, seen: new Set(), aliasBudget: 10_000 + 10 * countNodes(contents) };
    const branch = convertMap(contents, walk, [], 0);
    branches.push(new TreeMap([...head, ...branch.items, ...foot]));
  }
  return branches;
}
