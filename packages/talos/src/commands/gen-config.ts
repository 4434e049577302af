// `gen config`: encrypted per-node machine configs and talosconfig from the model and the existing bundle.
import path from "node:path";
import { type Cluster, formatIssue, loadCluster } from "@kubeforge/config";
import { formatTalosIssue } from "../errors.js";
import { checkTalosOutput } from "../io/check-output.js";
import { generateTalosOutput } from "../io/generate-output.js";
import { type TalosLayout, talosLayout } from "../io/layout.js";
import { resolveOidcCa } from "../io/oidc-ca.js";
import { loadSopsSealer } from "../store/load-sops.js";
import type { SecretSealer } from "../store/sealer.js";
import { type CommandIo, type CommandOptions, UsageError } from "./context.js";

export async function genConfig(options: CommandOptions, io: CommandIo): Promise<number> {
  const loaded = await loadCluster(options.cluster);
  const { warnings } = loaded;
  const cluster = await resolveOidcCa(loaded.cluster, options.cluster);
  for (const warning of warnings) io.err(`warning: ${formatIssue(warning, options.cluster)}\n`);
  const layout = talosLayout(options.cluster);
  const sealer = loadSopsSealer(cluster.sops.ageRecipients);
  if (options.check && (options.plaintext || options.rekey))
    throw new UsageError("--check writes nothing: it cannot be combined with --plaintext or --rekey");
  if (options.check) return checkConfig(cluster, layout, sealer, options, io);
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

/** `gen config --check`: 0 when talos/generated/ matches a fresh render, 1 when stale or nothing could be checked. */
async function checkConfig(
  cluster: Cluster,
  layout: TalosLayout,
  sealer: SecretSealer,
  options: CommandOptions,
  io: CommandIo,
): Promise<number> {
  const fix = `kubeforge-talos gen config --cluster ${path.relative(process.cwd(), options.cluster) || options.cluster}`;
  const result = await checkTalosOutput({ cluster, layout, sealer, fix });
  if (options.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  if (!result.checked) {
    if (!options.json) io.err(`error: cannot check the Talos output: ${result.reason}\n`);
    return 1;
  }
  if (result.stale.length > 0) {
    if (!options.json) {
      io.err(`${cluster.name}: ${result.stale.length} of ${result.files.length} Talos files are out of date:\n`);
      for (const issue of result.stale)
        io.err(`  ${formatTalosIssue({ ...issue, file: path.relative(process.cwd(), issue.file ?? "") })}\n`);
    }
    return 1;
  }
  if (!options.json && !options.quiet) io.out(`${cluster.name}: ${result.files.length} Talos files are up to date\n`);
  return 0;
}
