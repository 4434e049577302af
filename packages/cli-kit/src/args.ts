// What every kubeforge bin shares about its arguments: node:util parseArgs errors in plain words (with a
// did-you-mean), and `--version` / `-v`.
import { readFileSync } from "node:fs";
import { closest, distance } from "fastest-levenshtein";

/** The option shapes parseArgs takes; only the names and short letters matter here. */
export type OptionNames = Readonly<Record<string, { readonly type: string; readonly short?: string }>>;

/** The known option closest to `given` (`--clustr` → `--cluster`), when it is near enough to be a typo. */
function suggestOption(given: string, options: OptionNames): string | undefined {
  const name = given.replace(/^-+/, "").split("=")[0] ?? "";
  const names = Object.keys(options);
  if (name.length < 2 || names.length === 0) return undefined;
  const prefixed = names.filter((known) => known.startsWith(name));
  if (prefixed.length === 1) return `--${prefixed[0]}`;
  const best = closest(name, names);
  return distance(name, best) <= Math.max(1, Math.floor(best.length / 3)) ? `--${best}` : undefined;
}

/**
 * Rewrites a node:util parseArgs error as one line: `unknown option --foo (did you mean --force?); see
 * kubeforge-talos --help`. Node's own text ends `as in '-- "--foo"` (unbalanced quotes) and tells the user to pass
 * the flag as a positional argument, which is never what they meant. Other errors keep their meaning.
 */
export function describeArgsError(error: unknown, options: OptionNames, program?: string): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const see = program ? `; see ${program} --help` : "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /Unknown option '([^']+)'/.exec(message ?? "")?.[1] ?? "";
    const suggestion = suggestOption(flag, options);
    return `unknown option ${flag}${suggestion ? ` (did you mean ${suggestion}?)` : ""}${see}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const missing = /^Option '([^' ]+)(?: <value>)?' argument missing/.exec(message ?? "");
    if (missing) return `option ${missing[1]} needs a value${see}`;
    const noValue = /^Option '([^']+)' does not take an argument/.exec(message ?? "");
    if (noValue) return `option ${noValue[1]} takes no value${see}`;
  }
  return `${message ?? String(error)}${see}`;
}

/** `--version` or `-v` (or `-V`, as `kubeforge` has it) given alone. */
export function isVersionRequest(argv: readonly string[]): boolean {
  return argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v" || argv[0] === "-V");
}

/**
 * `<program> <version>` with the version of the package.json at `packageJson`, e.g.
 * `versionLine("kubeforge-talos", new URL("../package.json", import.meta.url))`.
 */
export function versionLine(program: string, packageJson: URL | string): string {
  const { version } = JSON.parse(readFileSync(packageJson, "utf8")) as { version: string };
  return `${program} ${version}\n`;
}
