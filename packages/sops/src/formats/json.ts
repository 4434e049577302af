// JSON store: an order-preserving parser (JSON.parse would move integer-like keys first) and the writer
// Go's json.Indent produces (tab indent by default, `\u003c`-style escapes, compact `{}` and `[]`).
import { SopsError } from "../errors.js";
import { formatFloatJson } from "../go-format.js";
import { Comment, type Leaf, SopsTime, TreeMap, TreeSeq, type TreeValue } from "../tree.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Same nesting limit as the YAML store: a clear error instead of a stack overflow. */
const MAX_DEPTH = 1000;

class JsonReader {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    const before = this.text.slice(0, this.pos);
    const line = before.split("\n").length;
    const col = this.pos - before.lastIndexOf("\n");
    throw new SopsError("E_SOPS_PARSE", `invalid JSON at line ${line}, column ${col}: ${message}`);
  }

  private skip(): void {
    while (this.pos < this.text.length && " \t\r\n".includes(this.text[this.pos]!)) this.pos++;
  }

  document(): TreeValue {
    this.skip();
    const value = this.value();
    this.skip();
    if (this.pos < this.text.length) this.fail("unexpected data after the top-level value");
    return value;
  }

  private nested<T>(read: () => T): T {
    if (++this.depth > MAX_DEPTH) {
      throw new SopsError("E_SOPS_PARSE", `invalid JSON: the document nests deeper than ${MAX_DEPTH} levels`, {
        hint: "flatten the structure; sops files this deep are not supported",
      });
    }
    const value = read();
    this.depth--;
    return value;
  }

  private value(): TreeValue {
    this.skip();
    const char = this.text[this.pos];
    if (char === "{") return this.nested(() => this.object());
    if (char === "[") return this.nested(() => this.array());
    if (char === '"') return this.string();
    const literal = /^(true|false|null)/.exec(this.text.slice(this.pos, this.pos + 5));
    if (literal) {
      this.pos += literal[1]!.length;
      return literal[1] === "null" ? null : literal[1] === "true";
    }
    const number = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos));
    if (number) {
      this.pos += number[0].length;
      return numberLeaf(number[0]);
    }
    return this.fail(char === undefined ? "unexpected end of input" : `unexpected character ${JSON.stringify(char)}`);
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.text.length) {
      const char = this.text[this.pos];
      if (char === "\\") this.pos += 2;
      else if (char === '"') {
        this.pos++;
        try {
          return JSON.parse(this.text.slice(start, this.pos)) as string;
        } catch {
          this.pos = start;
          return this.fail("invalid string");
        }
      } else this.pos++;
    }
    return this.fail("unterminated string");
  }

  private object(): TreeMap {
    this.pos++;
    const items: Array<{ key: string; value: TreeValue }> = [];
    const seen = new Set<string>();
    this.skip();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return new TreeMap(items);
    }
    for (;;) {
      this.skip();
      if (this.text[this.pos] !== '"') this.fail("expected a string key");
      const key = this.string();
      if (seen.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      seen.add(key);
      this.skip();
      if (this.text[this.pos] !== ":") this.fail("expected ':'");
      this.pos++;
      items.push({ key, value: this.value() });
      this.skip();
      const next = this.text[this.pos++];
      if (next === "}") return new TreeMap(items);
      if (next !== ",") {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
    }
  }

  private array(): TreeSeq {
    this.pos++;
    const items: TreeValue[] = [];
    this.skip();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return new TreeSeq(items);
    }
    for (;;) {
      items.push(this.value());
      this.skip();
      const next = this.text[this.pos++];
      if (next === "]") return new TreeSeq(items);
      if (next !== ",") {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
    }
  }
}

/** sops ≥3.13.2: a number without `.` or exponent that fits int64 is an int; anything else a float64. */
function numberLeaf(text: string): Leaf {
  if (/^-?[0-9]+$/.test(text)) {
    const value = BigInt(text);
    if (value >= INT64_MIN && value <= INT64_MAX) return value;
  }
  return Number(text);
}

/** Parses a JSON document whose top level is an object. */
export function parseJson(text: string): TreeMap {
  const value = new JsonReader(text).document();
  if (!(value instanceof TreeMap)) {
    throw new SopsError("E_SOPS_PARSE", "the top level of a JSON document must be an object");
  }
  return value;
}

/** Go json.Marshal string escaping (HTML-safe). */
export function quoteJsonString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (code < 0x20 || char === "<" || char === ">" || char === "&" || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else out += char;
  }
  return `${out}"`;
}

function leafText(value: Leaf): string {
  if (value === null) return "null";
  if (typeof value === "string") return quoteJsonString(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return formatFloatJson(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof SopsTime) return quoteJsonString(value.text);
  return quoteJsonString(new TextDecoder().decode(value));
}

function write(value: TreeValue, indent: string, depth: number): string {
  const pad = (d: number) => indent.repeat(d);
  if (value instanceof TreeMap) {
    const entries = value.entries();
    if (!entries.length) return "{}";
    const body = entries.map((e) => `${pad(depth + 1)}${quoteJsonString(e.key)}: ${write(e.value, indent, depth + 1)}`);
    return `{\n${body.join(",\n")}\n${pad(depth)}}`;
  }
  if (value instanceof TreeSeq) {
    const items = value.items.filter((i): i is TreeValue => !(i instanceof Comment));
    if (!items.length) return "[]";
    return `[\n${items.map((i) => `${pad(depth + 1)}${write(i, indent, depth + 1)}`).join(",\n")}\n${pad(depth)}]`;
  }
  return leafText(value);
}

/** Writes a branch like sops' JSON store; `indent` -1 (default) is a tab. Ends with a newline. */
export function emitJson(branch: TreeMap, options: { indent?: number } = {}): string {
  const indent = options.indent === undefined || options.indent < 0 ? "\t" : " ".repeat(options.indent);
  return `${write(branch, indent, 0)}\n`;
}
