// Runs the bootstrap plan: one progress line per step, the state file after each, a summary at the end.
import type { BootstrapContext, Step } from "./context.js";
import { type BootstrapState, readState, writeState } from "./state.js";

export interface StepOutcome {
  readonly id: string;
  readonly title: string;
  readonly status: "done" | "skipped";
  readonly detail?: string;
  readonly seconds?: number;
}

export async function runPlan(
  context: BootstrapContext,
  steps: readonly Step[],
  stateFile: string,
): Promise<StepOutcome[]> {
  let state: BootstrapState = await readState(stateFile, context.cluster.name);
  const outcomes: StepOutcome[] = [];
  for (const [index, step] of steps.entries()) {
    const prefix = `[${index + 1}/${steps.length}] ${step.title}`;
    const previous = state.done[step.id];
    if (previous !== undefined) {
      context.io.err(`${prefix} … already done (${previous})\n`);
      outcomes.push({ id: step.id, title: step.title, status: "skipped", detail: previous });
      continue;
    }
    context.io.err(`${prefix} …\n`);
    const started = Date.now();
    const detail = (await step.run(context)) ?? "ok";
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    context.io.err(`${prefix}: ${detail} (${seconds}s)\n`);
    state = { ...state, done: { ...state.done, [step.id]: detail } };
    await writeState(stateFile, state);
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
