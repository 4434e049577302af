// kubeforge: the CLI's building blocks, for the package bins that want the same runMain.
export {
  type Command,
  type CommandContext,
  type CommandIo,
  DELEGATED,
  defineCommand,
  type OptionSpec,
  parseCommandArgs,
  type RunResult,
  renderUsage,
} from "./command.js";
export { CliError, type CliErrorCode, isKnownError } from "./errors.js";
export { rootCommand } from "./root.js";
export { EXIT_INTERNAL, formatError, runCommand, runMain } from "./run-main.js";
