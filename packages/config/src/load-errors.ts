// Turns what jiti and JSON.parse throw for a broken definition into ConfigErrors with a line:column and a fix.
// Pure: each function takes the caught error (and the file's text) and returns the ConfigError to throw.
import { ConfigError } from "./errors.js";

/** `line 15:29` for the issue path, the form parseClusterYaml uses too. */
const at = (line: number, column: number) => `line ${line}:${column}`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The line:column of `file` in a stack or message (`… /path/cluster.ts:15:29`), when present. Babel (jiti's
 * parser) counts columns from 0, V8 stacks from 1: `columnBase` says which, the result counts from 1.
 */
function locationIn(text: string, file: string, columnBase: 0 | 1 = 1): string {
  const match = new RegExp(`${escapeRegExp(file)}:(\\d+):(\\d+)`).exec(text);
  return match ? at(Number(match[1]), Number(match[2]) + 1 - columnBase) : "";
}

/**
 * A definition written in TypeScript/JavaScript that jiti could not import: a syntax error (jiti's message is
 * `ParseError: <what>` with `<file>:<line>:<col>` on a later line), a missing import, or an error its code throws.
 */
export function definitionImportError(cause: unknown, file: string, shown: string): ConfigError {
  const error = cause instanceof Error ? cause : new Error(String(cause));
  const [first = "", ...rest] = error.message.split("\n");
  const parse = /^(?:\w+: )?ParseError: (.*)$/.exec(first.trim()) ?? /^SyntaxError: (.*)$/.exec(first.trim());
  if (parse || error.name === "SyntaxError") {
    const message = (parse?.[1] ?? first).trim();
    const path = locationIn(rest.join("\n"), file, 0) || locationIn(error.stack ?? "", file);
    // The error may sit in a module the definition imports: name that file and place instead.
    const elsewhere = path ? undefined : /(\S+):(\d+):(\d+)\s*$/.exec(rest.join("\n").trim());
    const where = elsewhere ? ` in ${elsewhere[1]} at line ${elsewhere[2]}:${Number(elsewhere[3]) + 1}` : "";
    return new ConfigError(
      "E_CONFIG_PARSE",
      [
        {
          path,
          message: `syntax error${where}: ${message}`,
          hint: "fix the TypeScript syntax (an editor or `pnpm exec tsc --noEmit` shows it too)",
        },
      ],
      shown,
      { cause },
    );
  }
  // A package reached through a folder pnpm has not linked yet (a cluster `kubeforge init --skip-install` made):
  // Node finds some other copy whose `exports` has no entry for this kind of import and says so in its own words.
  const exportsGap = /^No "exports" main defined in (.*?)package\.json/.exec(first);
  if ((error as NodeJS.ErrnoException).code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || exportsGap) {
    const pkg = exportsGap?.[1] ? /node_modules\/((?:@[^/]+\/)?[^/]+)\/?$/.exec(exportsGap[1])?.[1] : undefined;
    return new ConfigError(
      "E_CONFIG_READ",
      [
        {
          path: "",
          message: `cannot be loaded: ${pkg ?? "a package it imports"} is not linked for this cluster (${first.trim()})`,
          hint: "run `pnpm install` at the repository root (a cluster made with `kubeforge init --skip-install` is not in the workspace until then)",
        },
      ],
      shown,
      { cause },
    );
  }
  const missing = /^Cannot find (?:module|package) '([^']+)'/.exec(first);
  if ((error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" || missing) {
    return new ConfigError(
      "E_CONFIG_READ",
      [
        {
          path: "",
          // The wording `kubeforge` used before this lived here, so every CLI says the same.
          message: `cannot be loaded: Cannot find module ${missing ? `'${missing[1]}'` : "(an import)"}`,
          hint: "run `pnpm install` at the repository root so the cluster's package and its dependencies are linked, or fix the import",
        },
      ],
      shown,
      { cause },
    );
  }
  return new ConfigError(
    "E_CONFIG_READ",
    [
      {
        path: locationIn(error.stack ?? "", file),
        message: `throws while loading: ${error.name}: ${first}`,
        hint: "fix the code of the definition at that line",
      },
    ],
    shown,
    { cause },
  );
}

/** Line and column (1-based) of a character offset in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/**
 * A cluster.json that JSON.parse refused. Node reports `… in JSON at position 42` (20) or
 * `… at position 42 (line 3 column 5)` (22+); both become `line 3:5`.
 */
export function jsonParseError(cause: unknown, text: string, shown: string): ConfigError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const position = /at position (\d+)/.exec(message);
  const where = position
    ? lineColumn(text, Number(position[1]))
    : /end of JSON input/.test(message)
      ? lineColumn(text, text.length)
      : undefined;
  const what = message
    .replace(/\s*\(line \d+ column \d+\)/, "")
    .replace(/,? ?(?:in JSON )?at position \d+/, "")
    .replace(/ in JSON$/, "")
    .replace(/^"(?:[^"\\]|\\.)*" is not valid JSON$/, "is not valid JSON")
    .trim();
  return new ConfigError(
    "E_CONFIG_PARSE",
    [
      {
        path: where ? at(where.line, where.column) : "",
        message: `invalid JSON: ${what}`,
        hint: "fix the JSON syntax (no trailing commas or comments in cluster.json)",
      },
    ],
    shown,
    { cause },
  );
}
