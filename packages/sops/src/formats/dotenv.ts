// dotenv store: `KEY=value` lines split at the first `=`, nothing trimmed, `\n` escapes, `#` comments.
import { SopsError } from "../errors.js";
import { Comment, type Leaf, TreeMap, type TreeValue } from "../tree.js";

/** Parses a dotenv file into one branch of string values and comments. */
export function parseDotenv(text: string): TreeMap {
  const items: Array<{ key: string; value: TreeValue } | Comment> = [];
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (line === "") return;
    if (line.startsWith("#")) {
      items.push(new Comment(line.slice(1)));
      return;
    }
    const eq = line.indexOf("=");
    if (eq < 0) {
      throw new SopsError("E_SOPS_PARSE", `invalid dotenv line ${index + 1}: no '=' in ${JSON.stringify(line)}`, {
        hint: "write KEY=value, or start comment lines with #",
      });
    }
    items.push({ key: line.slice(0, eq), value: line.slice(eq + 1).replaceAll("\\n", "\n") });
  });
  return new TreeMap(items);
}

function leafText(value: TreeValue, key: string): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  if (value === null || typeof value === "object") {
    throw new SopsError("E_SOPS_UNSUPPORTED", "dotenv values must be scalars", {
      path: key,
      hint: "use YAML or JSON for nested data",
    });
  }
  return String(value as Exclude<Leaf, null>);
}

/** Writes a branch (plus flat metadata pairs) as dotenv lines. */
export function emitDotenv(branch: TreeMap, metadata: ReadonlyArray<readonly [string, string]> = []): string {
  const lines: string[] = [];
  for (const item of branch.items) {
    if (item instanceof Comment) lines.push(`#${item.text}`);
    else lines.push(`${item.key}=${leafText(item.value, item.key).replaceAll("\n", "\\n")}`);
  }
  for (const [key, value] of metadata) lines.push(`sops_${key}=${value.replaceAll("\n", "\\n")}`);
  return lines.map((line) => `${line}\n`).join("");
}
