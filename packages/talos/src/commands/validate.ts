// `validate FILE`: checks every document of a machine config against the official Talos schema.
import { readFile } from "node:fs/promises";
import { formatIssue, loadCluster } from "@kubeforge/config";
import { talosMinor } from "../config/contract.js";
import { formatTalosIssue, TalosError } from "../errors.js";
import { SCHEMA_RELEASES } from "../schema/schema-files.js";
import { validateConfigText } from "../schema/validate-config.js";
import { loadSopsSealer } from "../store/load-sops.js";
import { type CommandIo, type CommandOptions, UsageError } from "./context.js";

const DEFAULT_VERSION = "v1.13.9";

async function versionFor(options: CommandOptions, io: CommandIo, clusterGiven: boolean): Promise<string> {
  if (options.talosVersion) return options.talosVersion;
  if (!clusterGiven) return DEFAULT_VERSION;
  const { cluster, warnings } = await loadCluster(options.cluster);
  for (const warning of warnings) io.err(`warning: ${formatIssue(warning, options.cluster)}\n`);
  return cluster.talos.version;
}

export async function validate(
  files: readonly string[],
  options: CommandOptions & { clusterGiven: boolean },
  io: CommandIo,
): Promise<number> {
  if (files.length === 0) throw new UsageError("validate needs at least one FILE");
  const version = await versionFor(options, io, options.clusterGiven);
  const minor = talosMinor(version, "--talos-version");
  let failed = 0;
  for (const file of files) {
    let text = await readFile(file, "utf8").catch((cause: unknown) => {
      throw new TalosError(
        "E_CONFIG_INVALID",
        [{ file, path: "", message: "cannot be read", hint: "check the path" }],
        { cause },
      );
    });
    if (/^sops:\s*$/m.test(text)) {
      const sealer = loadSopsSealer([]);
      text = await sealer.open(text, { file, format: "yaml" });
    }
    const issues = validateConfigText(text, { minor, file });
    if (issues.length > 0) {
      failed++;
      for (const issue of issues) io.err(`${formatTalosIssue(issue)}\n`);
    } else if (!options.quiet) {
      io.out(`${file}: valid against the Talos ${SCHEMA_RELEASES[minor]} schema\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
