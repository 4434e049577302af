// INI store (go-ini rules): sections of string values, `;`/`#` comments, `[sops]` metadata section.
import { SopsError } from "../errors.js";
import { Comment, TreeMap, type TreeValue } from "../tree.js";

export interface IniDocument {
  readonly branch: TreeMap; // section name → TreeMap of key → string
  readonly sopsSection?: Array<[string, string]>;
}

function unquote(raw: string): string {
  if (raw.length >= 2 && ((raw.startsWith('"') && raw.endsWith('"')) || (raw.startsWith("`") && raw.endsWith("`")))) {
    return raw.slice(1, -1);
  }
  const cut = raw.search(/[#;]/);
  return (cut >= 0 ? raw.slice(0, cut) : raw).trim();
}

/** Parses an INI file; the `[sops]` section is returned apart, as flat pairs. */
export function parseIni(text: string): IniDocument {
  const lines = text.replaceAll("\r\n", "\n").split("\n");
  const sections: Array<{ name: string; items: Array<{ key: string; value: TreeValue } | Comment> }> = [];
  let current = { name: "DEFAULT", items: [] as Array<{ key: string; value: TreeValue } | Comment> };
  sections.push(current);
  let comments: Comment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    if (line.startsWith(";") || line.startsWith("#")) {
      comments.push(new Comment(line.replace(/^[;#]\s*/, "")));
      continue;
    }
    if (line.startsWith("[")) {
      const end = line.indexOf("]");
      if (end < 0) throw new SopsError("E_SOPS_PARSE", `invalid INI line ${i + 1}: unclosed section header`);
      current = { name: line.slice(1, end).trim(), items: [...comments] };
      comments = [];
      sections.push(current);
      continue;
    }
    const delimiter = line.search(/[=:]/);
    if (delimiter < 0) {
      throw new SopsError("E_SOPS_PARSE", `invalid INI line ${i + 1}: no '=' in ${JSON.stringify(line)}`, {
        hint: "write key = value",
      });
    }
    const key = line.slice(0, delimiter).trim();
    let raw = line.slice(delimiter + 1).trim();
    let value: string;
    if (raw.startsWith('"""')) {
      raw = raw.slice(3);
      const parts: string[] = [];
      while (!raw.includes('"""')) {
        parts.push(raw);
        i++;
        if (i >= lines.length) throw new SopsError("E_SOPS_PARSE", `invalid INI: unterminated """ value for ${key}`);
        raw = lines[i]!;
      }
      parts.push(raw.slice(0, raw.indexOf('"""')));
      value = parts.join("\n");
    } else value = unquote(raw);
    current.items.push(...comments, { key, value });
    comments = [];
  }
  const branch = new TreeMap();
  let sopsSection: Array<[string, string]> | undefined;
  for (const section of sections) {
    if (section.name === "sops") {
      sopsSection = section.items
        .filter((item): item is { key: string; value: string } => !(item instanceof Comment))
        .map((item) => [item.key, item.value.replaceAll("\\n", "\n")]);
      continue;
    }
    if (section.name === "DEFAULT" && section.items.length === 0) continue;
    branch.items.push({ key: section.name, value: new TreeMap(section.items) });
  }
  return sopsSection ? { branch, sopsSection } : { branch };
}

function quoteValue(value: string): string {
  if (value.includes("\n")) return `"""${value}"""`;
  if (/[#;]/.test(value) || value !== value.trim()) return value.includes("`") ? `"""${value}"""` : `\`${value}\``;
  return value;
}

function writeSection(name: string, items: ReadonlyArray<{ key: string; value: string } | Comment>): string {
  const width = Math.max(0, ...items.map((item) => (item instanceof Comment ? 0 : item.key.length)));
  const lines = [`[${name}]`];
  for (const item of items) {
    if (item instanceof Comment) lines.push(`; ${item.text}`);
    else lines.push(`${item.key.padEnd(width)} = ${quoteValue(item.value)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Writes sections (and the flat `[sops]` metadata) the way go-ini pretty-prints them. */
export function emitIni(branch: TreeMap, metadata?: ReadonlyArray<readonly [string, string]>): string {
  const blocks: string[] = [];
  for (const item of branch.items) {
    if (item instanceof Comment) continue;
    if (!(item.value instanceof TreeMap)) {
      throw new SopsError("E_SOPS_UNSUPPORTED", "INI values must sit inside a section", { path: item.key });
    }
    const head: Comment[] = [];
    const entries: Array<{ key: string; value: string } | Comment> = [];
    let seenKey = false;
    for (const entry of item.value.items) {
      if (entry instanceof Comment) (seenKey ? entries : head).push(entry);
      else {
        seenKey = true;
        entries.push({ key: entry.key, value: iniText(entry.value, `${item.key}.${entry.key}`) });
      }
    }
    const comments = head.map((c) => `; ${c.text}\n`).join("");
    blocks.push(comments + writeSection(item.key, entries));
  }
  if (metadata)
    blocks.push(
      writeSection(
        "sops",
        metadata.map(([key, value]) => ({ key, value: value.replaceAll("\n", "\\n") })),
      ),
    );
  return blocks.join("\n");
}

function iniText(value: TreeValue, path: string): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  if (typeof value === "object" && !("text" in value)) {
    throw new SopsError("E_SOPS_UNSUPPORTED", "INI values must be scalars (a section holds key = value pairs)", {
      path,
    });
  }
  return typeof value === "object" ? value.text : String(value);
}
