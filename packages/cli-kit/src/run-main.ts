// runMain: the one place that turns a command's result or error into output and an exit code.
import { type Command, type CommandIo, DELEGATED, parseCommandArgs, type RunResult, renderUsage } from "./command.js";
import { CliError, isKnownError } from "./errors.js";

export const EXIT_INTERNAL = 70;

const defaultIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: Boolean(process.stdin.isTTY),
};

/** Finds the command `argv` names (loading subcommands lazily) and runs it. */
export async function runCommand(root: Command, argv: string[], io: CommandIo = defaultIo): Promise<RunResult> {
  const program = root.program ?? "kubeforge";
  let command = root;
  let rest = argv;
  let invocation = program;
  for (;;) {
    const next = rest[0];
    const sub = next !== undefined && command.subCommands?.[next];
    if (!sub) break;
    command = await sub.load();
    invocation = `${invocation} ${next}`;
    rest = rest.slice(1);
  }
  if (command.passThrough && command.run) {
    const wantsOwnHelp = rest[0] === "--help" || rest[0] === "-h";
    if (!wantsOwnHelp) {
      return command.run({ values: {}, positionals: [], argv: rest, io });
    }
  }
  const { values, positionals } = parseCommandArgs(command, rest, invocation);
  if (values.help || !command.run) {
    if (!values.help && positionals.length > 0) {
      throw new CliError("E_USAGE", `unknown command "${positionals[0]}"`, `run \`${invocation} --help\``);
    }
    io.out(renderUsage(command, program));
    return values.help || command === root ? 0 : 2;
  }
  if (command.maxPositionals !== undefined && positionals.length > command.maxPositionals) {
    const extra = positionals.slice(command.maxPositionals).map((arg) => JSON.stringify(arg));
    throw new CliError(
      "E_USAGE",
      `${command.name}: unexpected argument${extra.length === 1 ? "" : "s"} ${extra.join(" ")}`,
      `usage: ${program} ${command.usage} (see \`${invocation} --help\`)`,
    );
  }
  return command.run({ values, positionals, argv: rest, io });
}

/** Formats an error for people: known errors as their message and hint, others as an internal error with stack. */
export function formatError(error: unknown): { text: string; exitCode: number; json: Record<string, unknown> } {
  if (error instanceof CliError) {
    const text = `error: ${error.message}${error.hint ? `\n  fix: ${error.hint}` : ""}\n`;
    return { text, exitCode: error.exitCode, json: { code: error.code, message: error.message, hint: error.hint } };
  }
  if (isKnownError(error)) {
    const hint = typeof error.hint === "string" && !error.message.includes(error.hint) ? `\n  fix: ${error.hint}` : "";
    return {
      text: `error: ${error.message}${hint}\n`,
      exitCode: 1,
      json: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) },
    };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    text: `internal error (please report it): ${detail}\n`,
    exitCode: EXIT_INTERNAL,
    json: { code: "E_INTERNAL", message: error instanceof Error ? error.message : String(error) },
  };
}

/** Runs `root` with the process arguments and sets the exit code: the only place a CLI built on this kit ends. */
export function runMain(root: Command, argv: string[] = process.argv.slice(2)): void {
  runCommand(root, argv).then(
    (result) => {
      if (result === DELEGATED) return; // the delegated CLI sets its own exit code
      process.exitCode = result;
    },
    (error: unknown) => {
      const formatted = formatError(error);
      if (argv.includes("--json")) {
        process.stdout.write(`${JSON.stringify({ error: formatted.json, exitCode: formatted.exitCode }, null, 2)}\n`);
      }
      process.stderr.write(formatted.text);
      process.exitCode = formatted.exitCode;
    },
  );
}
