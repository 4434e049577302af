// On resume, a finished apply step is skipped only while the node's config and address are what was applied:
// apply-config --insecure works once, in maintenance mode, so bootstrap cannot roll a changed config out itself.
import path from "node:path";
import { CliError } from "../errors.js";
import type { AppliedTarget, BootstrapContext, Step } from "./context.js";
import type { AppliedConfig, BootstrapState } from "./state.js";

export interface AppliedChange {
  readonly stepId: string;
  readonly now: AppliedTarget;
  /** Undefined when the state file predates recorded digests (then only "unknown" can be said). */
  readonly recorded?: AppliedConfig;
}

/** What the finished apply steps would apply now, and which of them differ from what was applied. */
export async function compareApplied(
  context: BootstrapContext,
  steps: readonly Step[],
  state: BootstrapState,
): Promise<{ current: Record<string, AppliedTarget>; changed: AppliedChange[]; unrecorded: AppliedTarget[] }> {
  const current: Record<string, AppliedTarget> = {};
  const changed: AppliedChange[] = [];
  const unrecorded: AppliedTarget[] = [];
  for (const step of steps) {
    if (!step.applies || state.done[step.id] === undefined) continue;
    const now = await step.applies(context);
    current[step.id] = now;
    const recorded = state.applied?.[step.id];
    if (!recorded) unrecorded.push(now);
    else if (recorded.digest !== now.digest || recorded.address !== now.address)
      changed.push({ stepId: step.id, now, recorded });
  }
  return { current, changed, unrecorded };
}

function describeChange(change: AppliedChange, cwd: string): string {
  const { now, recorded } = change;
  const parts: string[] = [];
  if (recorded && recorded.digest !== now.digest)
    parts.push(`${path.relative(cwd, now.file)} changed since bootstrap applied it`);
  if (recorded && recorded.address !== now.address)
    parts.push(`its address changed from ${recorded.address} (where the applied config put it) to ${now.address}`);
  return `${now.hostname}: ${parts.join("; ")}`;
}

/** The refusal: names each node and the exact next steps for both cases (node installed, or back in maintenance). */
export function changedConfigsError(
  changes: readonly AppliedChange[],
  clusterArg: string,
  cwd: string,
  talosconfig?: string,
): CliError {
  const hosts = changes.map((change) => change.now.hostname);
  const moved = changes.filter((change) => change.recorded && change.recorded.address !== change.now.address);
  const nodeFlags = hosts.map((host) => `--node ${host}`).join(" ");
  return new CliError(
    "E_INPUT",
    `the machine config bootstrap applied to ${hosts.join(", ")} is not the current one, so resuming would skip ${hosts.length === 1 ? "that node" : "those nodes"} (nothing was run):\n  ${changes.map((change) => describeChange(change, cwd)).join("\n  ")}`,
    [
      "bootstrap applies a config once, to a node in maintenance mode (`talosctl apply-config --insecure`); a node that took one no longer accepts that.",
      `A node that runs the old config: roll the change out with \`kubeforge talos apply --cluster ${clusterArg} ${nodeFlags}\` (through the talosconfig), then \`kubeforge bootstrap ${clusterArg} --accept-applied\` to record it and go on;`,
      // `kubeforge talos apply` reaches a node at its address in the definition, which is the new one: a moved node
      // still answers at the old one, so the command that works there is talosctl's own, the config over a pipe
      ...moved.map(
        (change) =>
          `${change.now.hostname} still answers at ${change.recorded?.address} until it runs the new config, so apply it there: \`talosctl --talosconfig ${path.relative(cwd, talosconfig ?? path.join(clusterArg, ".kubeforge", "talosconfig"))} --nodes ${change.recorded?.address} --endpoints ${change.recorded?.address} apply-config --file /dev/stdin < <(kubeforge secrets decrypt ${path.relative(cwd, change.now.file)})\` (bash), then \`--accept-applied\`;`,
      ),
      `nodes reset to maintenance mode (or that never booted the applied config): \`kubeforge bootstrap ${clusterArg} --restart\` runs every step again with the current configs.`,
      "Or undo the change in the cluster definition and run `kubeforge build` again to resume as before.",
    ].join("\n       "),
  );
}
