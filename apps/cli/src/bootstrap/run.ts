// Runs the bootstrap plan: one progress line per step, the state file after each, a summary at the end.
import { rm } from "node:fs/promises";
import { changedConfigsError, compareApplied, findRenamed, renamedNodesError } from "./applied.js";
import type { BootstrapContext, Step } from "./context.js";
import { unpinnedError } from "./fingerprints.js";
import { type BootstrapState, readState, writeState } from "./state.js";

export interface StepOutcome {
  readonly id: string;
  readonly title: string;
  readonly status: "done" | "skipped";
  readonly detail?: string;
  readonly seconds?: number;
}

export interface RunPlanOptions {
  /** The cluster as the user names it in commands (for the fixes printed). */
  readonly clusterArg: string;
  /** Record the current configs as applied for finished apply steps (after `kubeforge talos apply` rolled them out). */
  readonly acceptApplied?: boolean;
  /** Forget the state file and run every step again. */
  readonly restart?: boolean;
  /** Called as each step starts (e.g. to say where an interrupted run stopped). */
  readonly onStep?: (step: { readonly index: number; readonly total: number; readonly title: string }) => void;
  /** Runs a state-file write with interrupts held, so Ctrl-C cannot cut it short. @default runs it as is */
  readonly hold?: <T>(work: () => Promise<T>) => Promise<T>;
}

export async function runPlan(
  context: BootstrapContext,
  steps: readonly Step[],
  stateFile: string,
  options: RunPlanOptions,
): Promise<StepOutcome[]> {
  const hold = options.hold ?? ((work) => work());
  const save = (next: BootstrapState) => hold(() => writeState(stateFile, next));
  let state: BootstrapState = options.restart
    ? { version: 1, cluster: context.cluster.name, done: {} }
    : await readState(stateFile, context.cluster.name);
  if (context.requireFingerprint) {
    const unpinned = steps
      .filter((step) => step.node !== undefined && state.done[step.id] === undefined)
      .map((step) => step.node!)
      .filter((node) => !context.certFingerprints[node]?.length);
    if (unpinned.length > 0) throw unpinnedError(unpinned);
  }
  // --restart forgets the state file only once nothing refuses to run (a refusal leaves it as it was)
  if (options.restart) await rm(stateFile, { force: true });
  // Before any step runs: a finished apply step is skipped only while its config and address are what was applied.
  const { current, changed, unrecorded } = await compareApplied(context, steps, state);
  if (changed.length > 0 && !options.acceptApplied)
    throw changedConfigsError(changed, options.clusterArg, process.cwd(), context.talosconfig);
  // a node renamed after its config was applied: its new apply step would send --insecure to a configured node
  const renamed = await findRenamed(context, steps, state);
  if (renamed.length > 0 && !options.acceptApplied) throw renamedNodesError(renamed, options.clusterArg);
  if (renamed.length > 0) {
    const done = { ...state.done };
    const applied = { ...state.applied };
    for (const entry of renamed) {
      done[entry.stepId] = `${entry.now.address} (was ${entry.formerHost}; --accept-applied)`;
      applied[entry.stepId] = { address: entry.now.address, digest: entry.now.digest };
      delete done[entry.formerStepId];
      delete applied[entry.formerStepId];
      context.io.err(
        `${entry.now.hostname}: recorded the current config (${entry.now.address}, was ${entry.formerHost}) as applied (--accept-applied)\n`,
      );
    }
    state = { ...state, done, applied };
    await save(state);
  }
  if (options.acceptApplied || unrecorded.length > 0) {
    for (const target of options.acceptApplied ? changed.map((change) => change.now) : [])
      context.io.err(
        `${target.hostname}: recorded the current config (${target.address}) as applied (--accept-applied)\n`,
      );
    for (const target of unrecorded)
      context.io.err(
        `note: ${target.hostname}: the state file does not say which config was applied; the current one is recorded\n`,
      );
    const applied = Object.fromEntries(
      Object.entries(current).map(([id, target]) => [id, { address: target.address, digest: target.digest }]),
    );
    state = { ...state, applied: { ...state.applied, ...applied } };
    await save(state);
  }
  const outcomes: StepOutcome[] = [];
  for (const [index, step] of steps.entries()) {
    const prefix = `[${index + 1}/${steps.length}] ${step.title}`;
    const previous = state.done[step.id];
    if (previous !== undefined) {
      context.io.err(`${prefix} … already done (${previous})\n`);
      outcomes.push({ id: step.id, title: step.title, status: "skipped", detail: previous });
      continue;
    }
    options.onStep?.({ index: index + 1, total: steps.length, title: step.title });
    context.io.err(`${prefix} …\n`);
    const started = Date.now();
    // what this run applies, read before it does (recorded only once the step succeeded)
    const target = await step.applies?.(context);
    const detail = (await step.run(context)) ?? "ok";
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    context.io.err(`${prefix}: ${detail} (${seconds}s)\n`);
    state = {
      ...state,
      done: { ...state.done, [step.id]: detail },
      ...(target
        ? { applied: { ...state.applied, [step.id]: { address: target.address, digest: target.digest } } }
        : {}),
    };
    await save(state);
    outcomes.push({ id: step.id, title: step.title, status: "done", detail, seconds });
  }
  return outcomes;
}

export function formatSummary(cluster: string, outcomes: readonly StepOutcome[]): string {
  const ran = outcomes.filter((outcome) => outcome.status === "done").length;
  const lines = outcomes.map(
    (outcome) =>
      `  ${outcome.status === "done" ? "✓" : "="} ${outcome.title}: ${outcome.detail ?? ""}${outcome.seconds !== undefined ? ` (${outcome.seconds}s)` : ""}`,
  );
  return `${cluster}: bootstrap complete — ${ran} step${ran === 1 ? "" : "s"} run, ${outcomes.length - ran} already done\n${lines.join("\n")}\n`;
}
