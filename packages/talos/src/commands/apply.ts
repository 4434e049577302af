// `apply`: talosctl apply-config per node, then the documented bootstrap steps.
import { existsSync } from "node:fs";
import path from "node:path";
import { loadCluster } from "@kubeforge/config";
import { type ApplyMode, applyConfigs } from "../io/apply.js";
import { talosLayout } from "../io/layout.js";
import { loadSopsSealer } from "../store/load-sops.js";
import type { CommandIo, CommandOptions } from "./context.js";

export interface BootstrapStepsOptions {
  /** Address of the control-plane node that bootstraps etcd. */
  readonly first: string;
  /** The --cluster file, as the user gave it. */
  readonly cluster: string;
  /** Path of the decrypted talosconfig (`talos/out/talosconfig`), relative to where the user runs commands. */
  readonly talosconfig: string;
  /** Whether that file exists; only `gen config --plaintext` writes it. */
  readonly exists: boolean;
}

/** The steps after `apply`, with the real path of the decrypted talosconfig. Pure. */
export function bootstrapSteps(options: BootstrapStepsOptions): string[] {
  const { first, talosconfig } = options;
  return [
    ...(options.exists
      ? []
      : [`kubeforge-talos gen config --cluster ${options.cluster} --plaintext   # writes ${talosconfig}`]),
    `talosctl --talosconfig ${talosconfig} bootstrap --nodes ${first} --endpoints ${first}   # etcd, once, on one node`,
    `talosctl --talosconfig ${talosconfig} kubeconfig --nodes ${first} --endpoints ${first}`,
    "install Cilium with helm and bootstrap/cilium-values.yaml (nodes stay NotReady until a CNI runs; kube-proxy is disabled)",
    "bootstrap Flux against the cluster's flux/ tree",
  ];
}

export async function apply(options: CommandOptions, io: CommandIo): Promise<number> {
  const { cluster } = await loadCluster(options.cluster);
  const sealer = loadSopsSealer(cluster.sops.ageRecipients);
  const layout = talosLayout(options.cluster);
  const steps = await applyConfigs({
    cluster,
    layout,
    sealer,
    nodes: options.nodes,
    insecure: options.insecure,
    ...(options.address !== undefined ? { address: options.address } : {}),
    ...(options.certFingerprints !== undefined ? { certFingerprints: options.certFingerprints } : {}),
    ...(options.mode !== undefined ? { mode: options.mode as ApplyMode } : {}),
    dryRun: options.dryRun,
    onCommand: options.quiet ? undefined : (command) => io.err(`$ ${command.join(" ")}\n`),
    onWarning: (message) => io.err(`warning: ${message}\n`),
  });
  if (options.json) {
    io.out(`${JSON.stringify(steps, null, 2)}\n`);
    return 0;
  }
  if (options.dryRun) for (const step of steps) io.out(`${step.command.join(" ")}\n`);
  if (!options.quiet) {
    const first = cluster.nodes.find((node) => node.controlPlane)?.address ?? "<node>";
    const talosconfig = path.join(layout.plaintext, "talosconfig");
    const next = bootstrapSteps({
      first,
      cluster: options.cluster,
      talosconfig: path.relative(process.cwd(), talosconfig),
      exists: existsSync(talosconfig),
    });
    io.out(`\nNext, in this order:\n${next.map((step, index) => `  ${index + 1}. ${step}`).join("\n")}\n`);
  }
  return 0;
}
