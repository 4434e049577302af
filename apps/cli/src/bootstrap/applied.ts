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

/** A node whose config was applied under another name (renamed in the definition, same address). */
export interface RenamedNode {
  readonly stepId: string;
  readonly now: AppliedTarget;
  /** The step (and hostname) the address was configured under. */
  readonly formerStepId: string;
  readonly formerHost: string;
}

/**
 * Pending apply steps whose address a finished apply step of a node no longer in the plan configured: the machine
 * there runs that config and is out of maintenance mode, so `apply-config --insecure` would fail against it.
 */
export async function findRenamed(
  context: BootstrapContext,
  steps: readonly Step[],
  state: BootstrapState,
): Promise<RenamedNode[]> {
  const planned = new Set(steps.map((step) => step.id));
  const former = Object.entries(state.applied ?? {}).filter(([id]) => !planned.has(id) && state.done[id] !== undefined);
  if (former.length === 0) return [];
  const renamed: RenamedNode[] = [];
  for (const step of steps) {
    if (!step.applies || state.done[step.id] !== undefined) continue;
    const now = await step.applies(context);
    const match = former.find(([, applied]) => applied.address === now.address);
    if (match)
      renamed.push({ stepId: step.id, now, formerStepId: match[0], formerHost: match[0].replace(/^apply:/, "") });
  }
  return renamed;
}

export function renamedNodesError(renamed: readonly RenamedNode[], clusterArg: string): CliError {
  const nodeFlags = renamed.map((entry) => `--node ${entry.now.hostname}`).join(" ");
  return new CliError(
    "E_INPUT",
    `bootstrap configured ${renamed.map((entry) => `${entry.now.address} as ${entry.formerHost}`).join(", ")}, which the definition now names ${renamed.map((entry) => entry.now.hostname).join(", ")}: applying again with --insecure would fail there (a configured node leaves maintenance mode), so nothing was run`,
    [
      `roll the new config out through the talosconfig: \`kubeforge talos apply --cluster ${clusterArg} ${nodeFlags}\`, then \`kubeforge bootstrap ${clusterArg} --accept-applied\` to record it and go on;`,
      `or undo the rename in the cluster definition and run \`kubeforge build\` again; nodes reset to maintenance mode: \`kubeforge bootstrap ${clusterArg} --restart\``,
    ].join("\n       "),
  );
}
