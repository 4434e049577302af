// The external tools bootstrap runs, checked before any step so a missing one never leaves a half-done cluster.
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { CliError } from "../errors.js";

export const TOOL_INSTALL_HINTS: Record<string, string> = {
  talosctl: "curl -sL https://talos.dev/install | sh (or brew install siderolabs/tap/talosctl)",
  kubectl: "https://kubernetes.io/docs/tasks/tools/ (apt-get install kubectl, brew install kubectl)",
  helm: "https://helm.sh/docs/intro/install/ (brew install helm)",
  flux: "curl -s https://fluxcd.io/install.sh | bash (or brew install fluxcd/tap/flux)",
};

/** The first executable named `tool` on PATH, or undefined. */
export function whichTool(tool: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, tool);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Fails with every missing tool and how to install it. */
export function assertTools(tools: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const missing = tools.filter((tool) => !whichTool(tool, env));
  if (missing.length === 0) return;
  throw new CliError(
    "E_TOOL_MISSING",
    `bootstrap needs ${missing.join(", ")} on PATH; nothing was changed`,
    missing.map((tool) => `${tool}: ${TOOL_INSTALL_HINTS[tool] ?? "install it"}`).join("; "),
  );
}
