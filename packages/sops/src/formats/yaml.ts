// YAML store: the npm `yaml` AST (order and comments kept) to the sops tree and back, written the way
// go-yaml v3 writes it (indent 4, sequences indented, double quotes for strings that would change type).
import {
  Alias,
  Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  Pair,
  parseAllDocuments,
  Scalar,
  YAMLMap,
  YAMLSeq,
} from "yaml";
import { SopsError } from "../errors.js";
import { formatFloatYaml } from "../go-format.js";
import { Comment, type Leaf, SopsTime, TreeMap, TreeSeq, type TreeValue } from "../tree.js";
import { mustQuoteString, resolvePlainScalar, resolveTaggedScalar } from "./yaml-scalars.js";

type AnyDoc = Document.Parsed;

function commentLines(text: string | null | undefined, inline = false): Comment[] {
  if (!text) return [];
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => new Comment(line, inline));
}

function pathText(path: readonly string[]): string {
  return path.length ? path.join(".") : "(root)";
}

function scalarToLeaf(node: Scalar, path: readonly string[]): Leaf {
  const text = node.source !== undefined && typeof node.value !== "string" ? String(node.source) : String(node.value ?? "");
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

function convert(node: unknown, doc: AnyDoc, path: string[], seen: Set<unknown>): TreeValue {
  if (isAlias(node)) {
    const target = (node as Alias).resolve(doc);
    if (!target || seen.has(target)) throw new SopsError("E_SOPS_PARSE", "alias is undefined or recursive", { path: pathText(path) });
    seen.add(target);
    const value = convert(target, doc, path, seen);
    seen.delete(target);
    return value;
  }
  if (isMap(node)) return convertMap(node, doc, path, seen);
  if (isSeq(node)) {
    const items: Array<TreeValue | Comment> = [...commentLines(node.commentBefore)];
    for (const item of node.items) {
      const withComments = item as Node;
      if (isScalar(item) || isAlias(item)) {
        items.push(...commentLines(withComments.commentBefore));
        if (withComments.comment) items.push(...commentLines(withComments.comment, true));
      }
      items.push(convert(item, doc, path, seen));
    }
    items.push(...commentLines(node.comment));
    return new TreeSeq(items);
  }
  if (isScalar(node)) return scalarToLeaf(node, path);
  if (node === null || node === undefined) return null;
  throw new SopsError("E_SOPS_PARSE", "unsupported YAML node", { path: pathText(path) });
}

function convertMap(node: YAMLMap, doc: AnyDoc, path: string[], seen: Set<unknown>): TreeMap {
  const items: Array<{ key: string; value: TreeValue } | Comment> = [...commentLines(node.commentBefore)];
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    if (!isScalar(keyNode)) {
      throw new SopsError("E_SOPS_PARSE", "Tree contains a non-string key (complex mapping keys are not supported)", {
        path: pathText(path),
      });
    }
    const key = scalarToLeaf(keyNode, path);
    if (typeof key !== "string") {
      throw new SopsError("E_SOPS_PARSE", `Tree contains a non-string key: ${String(keyNode.source ?? keyNode.value)}`, {
        path: pathText(path),
        hint: "quote the key",
      });
    }
    items.push(...commentLines(keyNode.commentBefore));
    if (keyNode.comment) items.push(...commentLines(keyNode.comment, true));
    const valueNode = pair.value as Node | null;
    if (isScalar(valueNode) || isAlias(valueNode)) {
      items.push(...commentLines(valueNode.commentBefore));
      if (valueNode.comment) items.push(...commentLines(valueNode.comment, true));
    }
    items.push({ key, value: convert(valueNode, doc, [...path, key], seen) });
  }
  items.push(...commentLines(node.comment));
  return new TreeMap(items);
}

/** Parses every document of a YAML file into a branch. Top-level values must be mappings. */
export function parseYaml(text: string): TreeMap[] {
  const docs = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs)) return [];
  const branches: TreeMap[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0];
      throw new SopsError("E_SOPS_PARSE", `invalid YAML${line ? ` at line ${line.line}, column ${line.col}` : ""}: ${error.message.split("\n")[0]}`);
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
    const branch = convertMap(contents, doc, [], new Set());
    branches.push(new TreeMap([...head, ...branch.items, ...foot]));
  }
  return branches;
}

// ---- output ---------------------------------------------------------------------------------------

function stringNode(text: string): Scalar {
  const node = new Scalar(text);
  if (text.includes("\n")) node.type = "BLOCK_LITERAL";
  else if (mustQuoteString(text)) node.type = "QUOTE_DOUBLE";
  else node.type = "PLAIN";
  return node;
}

function leafNode(value: Leaf): Scalar {
  if (typeof value === "string") return stringNode(value);
  if (value instanceof Uint8Array) {
    const node = new Scalar(Buffer.from(value).toString("base64"));
    node.tag = "tag:yaml.org,2002:binary";
    return node;
  }
  let text: string;
  if (value === null) text = "null";
  else if (typeof value === "bigint") text = value.toString();
  else if (typeof value === "number") text = formatFloatYaml(value);
  else if (typeof value === "boolean") text = value ? "true" : "false";
  else if (value instanceof SopsTime) text = value.text;
  else text = String(value);
  const node = new Scalar(text);
  node.type = "PLAIN";
  return node;
}

function joinComments(comments: readonly Comment[]): string | undefined {
  return comments.length ? comments.map((c) => c.text).join("\n") : undefined;
}

function toNode(value: TreeValue): Node {
  if (value instanceof TreeMap) return mapNode(value);
  if (value instanceof TreeSeq) return seqNode(value);
  return leafNode(value);
}

function mapNode(map: TreeMap): YAMLMap {
  const node = new YAMLMap();
  let pending: Comment[] = [];
  let inline: Comment[] = [];
  for (const item of map.items) {
    if (item instanceof Comment) {
      if (item.inline) inline.push(item);
      else pending.push(item);
      continue;
    }
    const key = stringNode(item.key);
    if (key.type === "BLOCK_LITERAL") key.type = "QUOTE_DOUBLE";
    const value = toNode(item.value);
    const before = joinComments(pending);
    if (before !== undefined) key.commentBefore = before;
    const after = joinComments(inline);
    if (after !== undefined) {
      if (isScalar(value)) value.comment = after;
      else key.comment = after;
    }
    node.items.push(new Pair(key, value));
    pending = [];
    inline = [];
  }
  const foot = joinComments([...pending, ...inline]);
  if (foot !== undefined) node.comment = foot;
  return node;
}

function seqNode(seq: TreeSeq): YAMLSeq {
  const node = new YAMLSeq();
  let pending: Comment[] = [];
  let inline: Comment[] = [];
  for (const item of seq.items) {
    if (item instanceof Comment) {
      if (item.inline) inline.push(item);
      else pending.push(item);
      continue;
    }
    const value = toNode(item);
    const before = joinComments(pending);
    if (before !== undefined) value.commentBefore = before;
    const after = joinComments(inline);
    if (after !== undefined) {
      if (isScalar(value)) value.comment = after;
      else value.commentBefore = [before, after].filter(Boolean).join("\n");
    }
    node.items.push(value);
    pending = [];
    inline = [];
  }
  const foot = joinComments([...pending, ...inline]);
  if (foot !== undefined) node.comment = foot;
  return node;
}

/** Writes branches as go-yaml v3 does: one document each, separated by `---`. */
export function emitYaml(branches: readonly TreeMap[], options: { indent?: number } = {}): string {
  const indent = options.indent ?? 4;
  const texts = branches.map((branch) => {
    const doc = new Document(undefined, { schema: "failsafe" });
    doc.contents = mapNode(branch) as never;
    return doc.toString({ indent, indentSeq: true, lineWidth: 0, minContentWidth: 0, singleQuote: true });
  });
  return texts.join("---\n");
}
