// What an interrupted bootstrap says on its way out: the step it stopped in and that re-running continues there (the
// state file records every finished step; the interrupted one runs again, as every step is safe to repeat).
import type { InterruptSignal } from "../interrupts.js";

export interface InterruptedOptions {
  readonly signal: InterruptSignal;
  /** The step that was running, if one had started. */
  readonly step: { readonly index: number; readonly total: number; readonly title: string } | undefined;
  /** The cluster as the user names it in commands. */
  readonly clusterArg: string;
  /** The state file, as shown to the user. */
  readonly stateFile: string;
}

/** One line (after a newline, as ^C leaves the cursor mid-line). Pure. */
export function interruptedMessage(options: InterruptedOptions): string {
  const where = options.step
    ? `during [${options.step.index}/${options.step.total}] ${options.step.title}`
    : "before the first step";
  return `\nbootstrap interrupted (${options.signal}) ${where}; finished steps are recorded in ${options.stateFile}: re-run \`kubeforge bootstrap ${options.clusterArg}\` to continue from there\n`;
}
