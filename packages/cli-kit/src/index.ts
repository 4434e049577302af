// @kubeforge/cli-kit: commands as data, lazy subcommands, and the one runMain that prints errors and sets exit codes.
export { describeArgsError, isVersionRequest, type OptionNames, versionLine } from "./args.js";
export {
  type Command,
  type CommandContext,
  type CommandIo,
  DELEGATED,
  defineCommand,
  HELP_OPTION,
  type OptionSpec,
  parseCommandArgs,
  type RunResult,
  renderUsage,
  type SubCommand,
} from "./command.js";
export { CliError, isKnownError } from "./errors.js";
export { pidAlive } from "./process.js";
export { EXIT_INTERNAL, formatError, runCommand, runMain } from "./run-main.js";
