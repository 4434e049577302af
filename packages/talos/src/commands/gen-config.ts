// `gen config`: encrypted per-node machine configs and talosconfig from the model and the existing bundle.
import path from "node:path";
import { formatIssue, loadCluster } from "@kubeforge/config";
import { generateTalosOutput } from "../io/generate-output.js";
import { talosLayout } from "../io/layout.js";
import { loadSopsSealer } from "../store/load-sops.js";
import type { CommandIo, CommandOptions } from "./context.js";

export async function genConfig(options: CommandOptions, io: CommandIo): Promise<number> {
  const { cluster, warnings } = await loadCluster(options.cluster);
  for (const warning of warnings) io.err(`warning: ${formatIssue(warning, options.cluster)}\n`);
  const layout = talosLayout(options.cluster);
  const sealer = loadSopsSealer(cluster.sops.ageRecipients);
  if (options.rekey) {
    io.err(
      "warning: --rekey: the configs are rewritten even if their CAs differ from the bundle's; every node must be reinstalled with them (talosctl reset, then apply --insecure)\n",
    );
  }
  const result = await generateTalosOutput({
    cluster,
    layout,
    sealer,
    plaintext: options.plaintext,
    rekey: options.rekey,
  });
  if (result.plaintext && !result.plaintext.gitignored) {
    io.err(
      `warning: ${result.plaintext.directory} holds decrypted machine configs and git does not confirm it is ignored — add it to .gitignore and never commit it\n`,
    );
  }
  if (options.json) {
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  if (options.quiet) return 0;
  const changed = result.files.filter((file) => file.changed).length;
  io.out(
    `${cluster.name}: ${cluster.nodes.length} machine configs + talosconfig in ${path.relative(process.cwd(), layout.generated) || "."} (${changed} changed)\n`,
  );
  io.out(
    result.talosconfig.reused
      ? `talosconfig: admin certificate kept (expires ${result.talosconfig.expires.toISOString()})\n`
      : `talosconfig: new admin certificate (${result.talosconfig.reason}), expires ${result.talosconfig.expires.toISOString()}\n`,
  );
  if (result.plaintext) {
    io.out(
      `decrypted copies (mode 0600${result.plaintext.gitignored ? ", gitignored" : ""}) in ${result.plaintext.directory}\n`,
    );
  }
  return 0;
}
