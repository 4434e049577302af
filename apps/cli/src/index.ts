// kubeforge: the command table of the `kubeforge` CLI. The building blocks (defineCommand, runMain) are
// @kubeforge/cli-kit's, re-exported for convenience.
export * from "@kubeforge/cli-kit";
export type { CliErrorCode } from "./errors.js";
export { rootCommand } from "./root.js";
