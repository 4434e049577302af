// `apply`: talosctl apply-config per node, then the documented bootstrap steps.
import { loadCluster } from "@kubeforge/config";
import { applyConfigs } from "../io/apply.js";
import { talosLayout } from "../io/layout.js";
import { loadSopsSealer } from "../store/load-sops.js";
import type { CommandIo, CommandOptions } from "./context.js";

export function bootstrapSteps(first: string): string[] {
  return [
    `talosctl --talosconfig talos/out/talosconfig bootstrap --nodes ${first} --endpoints ${first}   # etcd, once, on one node`,
    `talosctl --talosconfig talos/out/talosconfig kubeconfig --nodes ${first} --endpoints ${first}`,
    "install Cilium with helm and bootstrap/cilium-values.yaml (nodes stay NotReady until a CNI runs; kube-proxy is disabled)",
    "bootstrap Flux against the cluster's flux/ tree",
  ];
}

export async function apply(options: CommandOptions, io: CommandIo): Promise<number> {
  const { cluster } = await loadCluster(options.cluster);
  const sealer = loadSopsSealer(cluster.sops.ageRecipients);
  const steps = await applyConfigs({
    cluster,
    layout: talosLayout(options.cluster),
    sealer,
    nodes: options.nodes,
    insecure: options.insecure,
    dryRun: options.dryRun,
    onCommand: options.quiet ? undefined : (command) => io.err(`$ ${command.join(" ")}\n`),
  });
  if (options.json) {
    io.out(`${JSON.stringify(steps, null, 2)}\n`);
    return 0;
  }
  if (options.dryRun) for (const step of steps) io.out(`${step.command.join(" ")}\n`);
  if (!options.quiet) {
    const first = cluster.nodes.find((node) => node.controlPlane)?.address ?? "<node>";
    io.out(
      `\nNext, in this order:\n${bootstrapSteps(first)
        .map((step, index) => `  ${index + 1}. ${step}`)
        .join("\n")}\n`,
    );
  }
  return 0;
}
