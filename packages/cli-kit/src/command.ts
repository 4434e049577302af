// A command is data: its help text, its options (node:util parseArgs shapes) and a run function. Subcommands
// load lazily so a root `--help` never imports schemas, cdk8s or crypto.
import { parseArgs } from "node:util";
import { describeArgsError } from "./args.js";
import { CliError } from "./errors.js";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  /** Shown in help, e.g. `<file>`. */
  readonly value?: string;
  readonly description: string;
}

export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** stdin is a terminal (init prompts only then). */
  readonly interactive: boolean;
}

export interface CommandContext {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
  /** The arguments after the command name, unparsed (for commands that hand them on). */
  readonly argv: string[];
  readonly io: CommandIo;
}

/** What a run returns: an exit code, or DELEGATED when another CLI took over the process. */
export type RunResult = number | typeof DELEGATED;
export const DELEGATED = Symbol("delegated");

export interface SubCommand {
  readonly description: string;
  readonly load: () => Promise<Command>;
}

export interface Command {
  readonly name: string;
  readonly description: string;
  /** Usage line after the program name, e.g. `init <name> [options]`. */
  readonly usage: string;
  /** The program a root command is run as (its bin name). @default "kubeforge" */
  readonly program?: string;
  readonly options?: Readonly<Record<string, OptionSpec>>;
  readonly subCommands?: Readonly<Record<string, SubCommand>>;
  /** Extra help text after the options (examples, exit codes). */
  readonly footer?: string;
  /** Pass every argument through unparsed (commands that delegate to another CLI). */
  readonly passThrough?: boolean;
  /** At most this many positional arguments; more is a usage error (not silently ignored). @default unlimited */
  readonly maxPositionals?: number;
  readonly run?: (context: CommandContext) => Promise<RunResult>;
}

export const HELP_OPTION: OptionSpec = { type: "boolean", short: "h", description: "show this help" };

export function defineCommand(command: Command): Command {
  return command;
}

/** Renders a command's help (pure). `program` is the bin name the command was reached through. */
export function renderUsage(command: Command, program = command.program ?? "kubeforge"): string {
  const lines = [`Usage: ${program} ${command.usage}`, "", command.description];
  if (command.subCommands) {
    lines.push("", "Commands:");
    const width = Math.max(...Object.keys(command.subCommands).map((name) => name.length));
    for (const [name, sub] of Object.entries(command.subCommands))
      lines.push(`  ${name.padEnd(width)}  ${sub.description}`);
  }
  const options = { ...command.options, help: HELP_OPTION };
  const labels = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`;
    return [flag, spec.description + (spec.multiple ? " (repeatable)" : "")] as const;
  });
  const width = Math.max(...labels.map(([flag]) => flag.length));
  lines.push("", "Options:", ...labels.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`));
  if (command.footer) lines.push("", command.footer);
  return `${lines.join("\n")}\n`;
}

/** Parses `argv` against the command's options; unknown flags are usage errors naming the command. */
export function parseCommandArgs(
  command: Command,
  argv: string[],
  /** How the command is typed, for the hint: `kubeforge init`. */
  invocation = `${command.program ?? "kubeforge"} ${command.name}`,
): Pick<CommandContext, "values" | "positionals"> {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), multiple: spec.multiple ?? false };
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as CommandContext["values"], positionals };
  } catch (error) {
    throw new CliError(
      "E_USAGE",
      `${command.name}: ${describeArgsError(error, options)}`,
      `run \`${invocation} --help\``,
      {
        cause: error,
      },
    );
  }
}
