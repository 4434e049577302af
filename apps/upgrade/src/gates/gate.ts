// A gate is a named check; `waitForGate` polls it until it passes or its timeout runs out.
import { formatDuration } from "../timeouts.js";
import type { GateName } from "./names.js";

export interface GateResult {
  readonly ok: boolean;
  /** What was seen: "3/3 members healthy", "node-2 NotReady (KubeletNotReady)". */
  readonly detail: string;
}

export interface Gate {
  readonly name: GateName;
  /**
   * Runs the check once. Connection failures are a failed result, not a throw. `budgetMs` caps the check's
   * own deadline (the gate's remaining time), so one call never outlives the gate.
   */
  check(budgetMs?: number): Promise<GateResult>;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** Called after each failed attempt, for progress lines. */
  readonly onWait?: (result: GateResult, elapsedMs: number) => void;
  /** Monotonic milliseconds (a wall-clock jump must neither fail nor stretch a gate). @default performance.now */
  readonly now?: () => number;
  /** Injected for tests. @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the gate passes; resolves with the last result (ok false when the timeout ran out). */
export async function waitForGate(gate: Gate, options: WaitOptions): Promise<GateResult & { elapsedMs: number }> {
  const now = options.now ?? (() => performance.now());
  const pause = options.sleep ?? sleep;
  const start = now();
  for (;;) {
    const result = await gate.check(Math.max(1, options.timeoutMs - (now() - start)));
    const elapsedMs = now() - start;
    if (result.ok || elapsedMs >= options.timeoutMs) return { ...result, elapsedMs };
    options.onWait?.(result, elapsedMs);
    await pause(Math.min(options.intervalMs, Math.max(0, options.timeoutMs - elapsedMs)));
    // Out of time after the pause: the last real result stands (a check with no time left only times out).
    if (now() - start >= options.timeoutMs) return { ...result, elapsedMs: now() - start };
  }
}

/** How long one check may take before it counts as failed. @default 60000 */
export const DEFAULT_CHECK_TIMEOUT_MS = 60_000;

/**
 * Turns a thrown error into a failed result, so a gate never throws for an unreachable cluster, and bounds
 * the check: a call that never answers (a half-open connection to the API server) fails after `timeoutMs`
 * instead of hanging the run, since the poll loop only looks at its deadline between checks.
 */
export async function guardCheck(
  run: () => Promise<GateResult>,
  timeoutMs: number = DEFAULT_CHECK_TIMEOUT_MS,
): Promise<GateResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<GateResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, detail: `no answer within ${formatDuration(timeoutMs)}` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([run(), deadline]);
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
