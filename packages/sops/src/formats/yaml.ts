// YAML store input: the npm `yaml` AST (order and comments kept) to the sops tree, with yaml.v3's scalar
// resolution. Output is in yaml-emit.ts.
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseAllDocuments,
  type Scalar,
  type YAMLMap,
} from "yaml";
import { SopsError } from "../errors.js";
import { Comment, type Leaf, TreeMap, TreeSeq, type TreeValue } from "../tree.js";
import { resolvePlainScalar, resolveTaggedScalar } from "./yaml-scalars.js";

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

function convert(node: unknown, doc: AnyDoc, path: string[], seen: Set<unknown>): TreeValue {
  if (isAlias(node)) {
    const target = (node as Alias).resolve(doc);
    if (!target || seen.has(target))
      throw new SopsError("E_SOPS_PARSE", "alias is undefined or recursive", { path: pathText(path) });
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
      throw new SopsError(
        "E_SOPS_PARSE",
        `Tree contains a non-string key: ${String(keyNode.source ?? keyNode.value)}`,
        {
          path: pathText(path),
          hint: "quote the key",
        },
      );
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
    const branch = convertMap(contents, doc, [], new Set());
    branches.push(new TreeMap([...head, ...branch.items, ...foot]));
  }
  return branches;
}
