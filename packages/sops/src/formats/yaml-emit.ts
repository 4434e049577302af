// A YAML writer with go-yaml v3's layout, so files match what Go sops writes: nested blocks indent to
// the next multiple of the indent, items of a sequence start two columns after "- ", sequences are
// indented under their key, multi-line strings are literal blocks, and comments keep their place.
import type { Scalar } from "yaml";
import { formatFloatYaml } from "../go-format.js";
import { yamlLibrary } from "../lazy.js";
import { Comment, type Leaf, SopsTime, TreeMap, TreeSeq, type TreeValue } from "../tree.js";
import { mustQuoteString } from "./yaml-scalars.js";

type Lines = string[];

function renderScalar(node: Scalar): string {
  const doc = new (yamlLibrary().Document)(undefined, { schema: "failsafe" });
  doc.contents = node as never;
  return doc.toString({ lineWidth: 0, minContentWidth: 0, singleQuote: true, indent: 2 }).replace(/\n$/, "");
}

// Characters go-yaml escapes inside double quotes that the yaml library writes raw: YAML 1.1 line breaks
// (NEL, LS, PS) and the non-printable BOM, U+FFFE and U+FFFF. A string holding one is always quoted.
const GO_ESCAPES: Record<string, string> = {
  "\u0085": "\\N",
  "\u2028": "\\L",
  "\u2029": "\\P",
  "\ufeff": "\\uFEFF",
  "\ufffe": "\\uFFFE",
  "\uffff": "\\uFFFF",
};
const GO_ESCAPED = /[\u0085\u2028\u2029\ufeff\ufffe\uffff]/g;
const GO_QUOTED = /[\u0085\u2028\u2029\ufeff\ufffe\uffff]/;

function quoted(text: string): string {
  const node = new (yamlLibrary().Scalar)(text);
  node.type = "QUOTE_DOUBLE";
  return renderScalar(node).replace(GO_ESCAPED, (c) => GO_ESCAPES[c]!);
}

/** Can `text` be a literal block the way libyaml allows it? */
function literalAllowed(text: string): boolean {
  if (/^[ \t]/.test(text) || / \n|\t\n/.test(text) || /[ \t]$/.test(text)) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters force double quotes
  return !/[\u0000-\u0008\u000b-\u001f\u007f\r\u2028\u2029\ufeff]/.test(text);
}

// Strings the library would print plain as they are (checked against it in yaml-emit.test.ts): sops'
// ENC[…] values and simple words. Building a Document per scalar dominated large files.
const ENC_PLAIN = /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:[a-z]+\]$/;
const WORD_PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_./=+-]*$/;

/** The text of a string scalar on one line, or undefined when it must be a literal block. */
export function inlineString(text: string, key = false): string | undefined {
  if (ENC_PLAIN.test(text)) return text;
  if (text.includes("\n") && !key && literalAllowed(text)) return undefined;
  if (text.includes("\n") || mustQuoteString(text) || GO_QUOTED.test(text)) return quoted(text);
  if (WORD_PLAIN.test(text)) return text;
  const node = new (yamlLibrary().Scalar)(text);
  node.type = "PLAIN";
  return renderScalar(node);
}

function leafText(value: Leaf): string | undefined {
  if (typeof value === "string") return inlineString(value);
  if (value === null) return "null";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return formatFloatYaml(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof SopsTime) return value.text;
  return `!!binary ${Buffer.from(value).toString("base64")}`;
}

function literalBlock(text: string, indent: number): Lines {
  const trailing = /\n*$/.exec(text)![0].length;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const body = trailing === 1 ? text.slice(0, -1) : trailing === 0 ? text : text.slice(0, -1);
  const pad = " ".repeat(indent);
  return [`|${chomp}`, ...body.split("\n").map((line) => (line ? pad + line : ""))];
}

class YamlWriter {
  constructor(private readonly step: number) {}

  /** go-yaml: everything but the first level inside "- " aligns to the next multiple of the indent. */
  private deeper(indent: number): number {
    return this.step * Math.floor((indent + this.step) / this.step);
  }

  private comment(comment: Comment, indent: number): string {
    return `${" ".repeat(indent)}#${comment.text}`;
  }

  /** Writes `value` after `prefix` (e.g. `key:` or `-`); `indent` is where the prefix's block lives. */
  private node(prefix: string, value: TreeValue, indent: number, inline: Comment[], out: Lines, inSeq: boolean): void {
    const tail = inline.length ? ` #${inline.map((c) => c.text).join(" ")}` : "";
    if (value instanceof TreeMap && value.entries().length > 0) {
      if (inSeq) {
        this.map(value, indent + 2, out, "- ");
        return;
      }
      out.push(prefix + tail);
      this.map(value, this.deeper(indent), out, "");
      return;
    }
    if (value instanceof TreeSeq && value.items.some((i) => !(i instanceof Comment))) {
      out.push(prefix + tail);
      this.seq(value, inSeq ? indent + 2 : this.deeper(indent), out);
      return;
    }
    if (value instanceof TreeMap) {
      out.push(`${prefix} {}${tail}`);
      for (const item of value.items) if (item instanceof Comment) out.push(this.comment(item, indent));
      return;
    }
    if (value instanceof TreeSeq) {
      out.push(`${prefix} []${tail}`);
      return;
    }
    const text = leafText(value);
    if (text !== undefined) {
      out.push(`${prefix} ${text}${tail}`);
      return;
    }
    const [header, ...body] = literalBlock(value as string, inSeq ? indent + 2 : this.deeper(indent));
    out.push(`${prefix} ${header}${tail}`, ...body);
  }

  map(map: TreeMap, indent: number, out: Lines, firstPrefix: string): void {
    let first = firstPrefix;
    let inline: Comment[] = [];
    const pad = " ".repeat(indent);
    for (const item of map.items) {
      if (item instanceof Comment) {
        if (item.inline) inline.push(item);
        else out.push(this.comment(item, first ? indent - 2 : indent));
        continue;
      }
      const key = inlineString(item.key, true)!;
      const head = first ? `${" ".repeat(indent - 2)}${first}` : pad;
      this.node(`${head}${key}:`, item.value, indent, inline, out, false);
      first = "";
      inline = [];
    }
    for (const comment of inline) out.push(this.comment(comment, indent));
  }

  seq(seq: TreeSeq, indent: number, out: Lines): void {
    let inline: Comment[] = [];
    const pad = " ".repeat(indent);
    for (const item of seq.items) {
      if (item instanceof Comment) {
        if (item.inline) inline.push(item);
        else out.push(this.comment(item, indent));
        continue;
      }
      if (item instanceof TreeSeq && item.items.some((i) => !(i instanceof Comment))) {
        out.push(`${pad}-`);
        this.seq(item, indent + 2, out);
      } else this.node(`${pad}-`, item, indent, inline, out, true);
      inline = [];
    }
    for (const comment of inline) out.push(this.comment(comment, indent));
  }
}

/** Writes branches as go-yaml v3 does: one document each, separated by `---`. */
export function emitYaml(branches: readonly TreeMap[], options: { indent?: number } = {}): string {
  const writer = new YamlWriter(options.indent ?? 4);
  const docs = branches.map((branch) => {
    const out: Lines = [];
    if (branch.entries().length === 0) {
      for (const item of branch.items) if (item instanceof Comment) out.push(`#${item.text}`);
      out.push("{}");
    } else writer.map(branch, 0, out, "");
    return `${out.join("\n")}\n`;
  });
  return docs.join("---\n");
}
