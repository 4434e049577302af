// A fast reader for the plain block YAML that sops files and Kubernetes Secrets are made of: block
// mappings and sequences, plain / single- / double-quoted scalars without escapes, `|` literal blocks,
// `---` between documents. Anything else (comments, flow collections, anchors, tags, escapes, folded
// or multi-line plain scalars, tabs, CR line ends…) returns undefined and the caller uses the full
// `yaml` library, whose document model costs about 10 µs per node. yaml-fast.test.ts checks that both
// readers give the same tree on every input this one accepts.
import { type Leaf, TreeMap, TreeSeq, type TreeValue } from "../tree.js";
import { resolvePlainScalar } from "./yaml-scalars.js";

const BAIL = Symbol("bail");
const MAX_DEPTH = 1000;

function bail(): never {
  throw BAIL;
}

// a plain scalar may not start with an indicator (YAML 1.2 §7.3.3); we also refuse `-`, `?`, `:`
const PLAIN_START = /^(?:[^-?:,[\]{}#&*!|>'"%@`\s]|[-?:][^\s,[\]{}])/;
const KEY_PLAIN = /^[A-Za-z0-9_./$]/;

class Reader {
  private pos = 0;
  constructor(private readonly lines: string[]) {}

  /** Index of the next line with content (blank lines are skipped), or lines.length. */
  private next(): number {
    let i = this.pos;
    while (i < this.lines.length && this.isBlank(this.lines[i]!)) i++;
    return i;
  }

  /** Only spaces (tabs and CRs never reach this reader; other characters are content). */
  private isBlank(line: string): boolean {
    return this.indentOf(line) === line.length;
  }

  private indentOf(line: string): number {
    let n = 0;
    while (line.charCodeAt(n) === 32) n++;
    return n;
  }

  done(): boolean {
    return this.next() >= this.lines.length;
  }

  document(): TreeMap {
    const i = this.next();
    if (i >= this.lines.length || this.indentOf(this.lines[i]!) !== 0 || this.isItem(this.lines[i]!, 0)) bail();
    return this.map(0, 0);
  }

  private isItem(line: string, indent: number): boolean {
    return line.startsWith("- ", indent) || (line.length === indent + 1 && line[indent] === "-");
  }

  /** The block that follows a key or an item with nothing after it on its line. */
  private nested(parentIndent: number, depth: number, allowSameIndentSeq: boolean): TreeValue {
    const i = this.next();
    if (i >= this.lines.length) return null;
    const line = this.lines[i]!;
    const indent = this.indentOf(line);
    if (indent > parentIndent) return this.isItem(line, indent) ? this.seq(indent, depth) : this.map(indent, depth);
    if (allowSameIndentSeq && indent === parentIndent && this.isItem(line, indent)) return this.seq(indent, depth);
    return null;
  }

  private map(indent: number, depth: number): TreeMap {
    if (depth > MAX_DEPTH) bail();
    const items: Array<{ key: string; value: TreeValue }> = [];
    const keys = new Set<string>();
    for (;;) {
      const i = this.next();
      if (i >= this.lines.length) break;
      const line = this.lines[i]!;
      const lineIndent = this.indentOf(line);
      if (lineIndent < indent) break;
      if (lineIndent > indent || this.isItem(line, indent)) bail();
      this.pos = i + 1;
      const { key, rest } = this.key(line.slice(indent));
      if (keys.has(key)) bail();
      keys.add(key);
      const value = rest === "" ? this.nested(indent, depth + 1, true) : this.scalar(rest, indent);
      items.push({ key, value });
    }
    return new TreeMap(items);
  }

  private seq(indent: number, depth: number): TreeSeq {
    if (depth > MAX_DEPTH) bail();
    const items: TreeValue[] = [];
    for (;;) {
      const i = this.next();
      if (i >= this.lines.length) break;
      const line = this.lines[i]!;
      const lineIndent = this.indentOf(line);
      if (lineIndent < indent) break;
      if (lineIndent > indent || !this.isItem(line, indent)) {
        if (lineIndent === indent) break; // a key of the parent mapping (sequence at the key's indent)
        bail();
      }
      const body = line.slice(indent + 1);
      const spaces = this.indentOf(body);
      const text = body.slice(spaces);
      if (text === "" || text.startsWith("-")) bail();
      if (this.looksLikeEntry(text)) {
        // a compact mapping: re-read this line as the first key of a mapping at the item's column
        this.lines[i] = " ".repeat(indent + 1 + spaces) + text;
        this.pos = i;
        items.push(this.map(indent + 1 + spaces, depth + 1));
      } else {
        this.pos = i + 1;
        items.push(this.scalar(text, indent));
      }
    }
    return new TreeSeq(items);
  }

  private looksLikeEntry(text: string): boolean {
    if (text.startsWith('"') || text.startsWith("'")) {
      const close = text.indexOf(text[0]!, 1);
      return close > 0 && (text.startsWith(": ", close + 1) || (text.length === close + 2 && text.endsWith(":")));
    }
    return text.includes(": ") || text.endsWith(":");
  }

  private key(text: string): { key: string; rest: string } {
    let key: string;
    let after: string;
    if (text.startsWith('"') || text.startsWith("'")) {
      const close = text.indexOf(text[0]!, 1);
      if (close < 0) bail();
      key = this.quoted(text.slice(0, close + 1));
      after = text.slice(close + 1);
      if (!after.startsWith(":")) bail();
      after = after.slice(1);
    } else {
      let colon = text.indexOf(": ");
      if (colon < 0) {
        if (!text.endsWith(":")) bail();
        colon = text.length - 1;
      }
      const raw = text.slice(0, colon);
      if (!KEY_PLAIN.test(raw) || raw.endsWith(" ")) bail();
      const resolved = this.resolve(raw);
      if (typeof resolved !== "string") bail();
      key = resolved;
      after = text.slice(colon + 1);
    }
    if (after !== "" && !after.startsWith(" ")) bail();
    return { key, rest: after.trim() };
  }

  private resolve(text: string): Leaf {
    try {
      return resolvePlainScalar(text);
    } catch {
      // the full reader reports it with its path
      return bail();
    }
  }

  private quoted(text: string): string {
    if (text.length < 2 || text[text.length - 1] !== text[0]) bail();
    const inner = text.slice(1, -1);
    if (text[0] === '"') {
      if (inner.includes("\\") || inner.includes('"')) bail();
      return inner;
    }
    if (inner.replaceAll("''", "").includes("'")) bail();
    return inner.replaceAll("''", "'");
  }

  /** A scalar that starts on the line of its key (or item); `indent` is that line's block indent. */
  private scalar(text: string, indent: number): Leaf {
    let value: Leaf;
    if (text[0] === "|") value = this.literal(text, indent);
    else {
      if (text[0] === '"' || text[0] === "'") value = this.quoted(text.trimEnd());
      // sops' own values, most of an encrypted file: plain strings as they stand (one pass, no resolving)
      // (no space: so no ": ", " #" or trailing blank; ends with "]": so no trailing ":"; "E" resolves to a string)
      else if (text.startsWith("ENC[AES256_GCM,data:") && text.endsWith("]") && !text.includes(" ")) value = text;
      else {
        if (!PLAIN_START.test(text) || text.includes(": ") || text.endsWith(":")) bail();
        value = this.resolve(text.trimEnd());
      }
      // a more-indented line next would continue this scalar (multi-line plain or quoted)
      const i = this.next();
      if (i < this.lines.length && this.indentOf(this.lines[i]!) > indent) bail();
    }
    return value;
  }

  private literal(header: string, indent: number): string {
    const chomp = header.slice(1);
    if (chomp !== "" && chomp !== "-") bail();
    const first = this.pos;
    if (first >= this.lines.length || this.lines[first]!.trim() === "") bail();
    const content = this.indentOf(this.lines[first]!);
    if (content <= indent) bail();
    const body: string[] = [];
    let i = first;
    for (; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      if (line.trim() === "") {
        if (line.length > content) bail(); // spaces beyond the indent are content: leave it to the library
        body.push("");
        continue;
      }
      if (this.indentOf(line) < content) break;
      body.push(line.slice(content));
    }
    // trailing blank lines are not part of the value under clip and strip chomping
    let end = body.length;
    while (end > 0 && body[end - 1] === "") end--;
    this.pos = first + end;
    const value = body.slice(0, end).join("\n");
    return chomp === "-" ? value : `${value}\n`;
  }
}

/** The documents of `text`, or undefined when it is outside the subset this reader knows. */
export function parseSimpleYaml(text: string): TreeMap[] | undefined {
  if (/[#\t\r\uFEFF%&*!{}[\]>?]/.test(text) && /#|\t|\r|\uFEFF|^%|(?:^|[ :-])[&*!{[>?]/m.test(text)) return undefined;
  if (text.length === 0 || !text.endsWith("\n")) return undefined;
  const lines = text.slice(0, -1).split("\n");
  const documents: string[][] = [[]];
  for (const line of lines) {
    if (line === "---") documents.push([]);
    else if (line.startsWith("---") || line.startsWith("...")) return undefined;
    else documents[documents.length - 1]!.push(line);
  }
  if (lines[0] === "---") documents.shift();
  try {
    return documents.map((doc) => {
      const reader = new Reader(doc);
      const branch = reader.document();
      if (!reader.done()) bail();
      return branch;
    });
  } catch (error) {
    if (error === BAIL) return undefined;
    throw error;
  }
}
