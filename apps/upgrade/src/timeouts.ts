// Per-gate timeouts and the poll interval, with defaults sized for real hardware (tests shorten them).
import type { GateName } from "./gates/names.js";

/** The budgets of the talosctl commands themselves, beside the gates'. */
export type CommandTimeout = "upgrade" | "drain" | "image-pull" | "upgrade-k8s";

export type Timeouts = Record<GateName | CommandTimeout, number>;

export const COMMAND_TIMEOUTS: readonly CommandTimeout[] = ["upgrade", "drain", "image-pull", "upgrade-k8s"];

const MINUTE = 60_000;

/** How long each gate after an upgrade may take to pass; gates before an upgrade are checked once. */
export const DEFAULT_TIMEOUTS: Timeouts = {
  "no-upgrade-in-progress": MINUTE,
  "kube-nodes-ready": 10 * MINUTE,
  "etcd-members-healthy": 5 * MINUTE,
  "etcd-no-alarms": MINUTE,
  "etcd-quorum-without-node": MINUTE,
  "talos-version": 15 * MINUTE,
  "kube-node-ready": 10 * MINUTE,
  "etcd-member-rejoined": 10 * MINUTE,
  "pods-healthy": 10 * MINUTE,
  "kubelet-version": 30 * MINUTE,
  /** talosctl upgrade `--timeout`: talosctl waits this long for the reboot, and again for the uncordon. */
  upgrade: 30 * MINUTE,
  /** talosctl upgrade `--drain-timeout` (talosctl ≥ 1.13; its own default is 5m, nodedrain.DefaultDrainTimeout). */
  drain: 5 * MINUTE,
  /**
   * How long the installer image pull may take. talosctl pulls with no deadline of its own, so this only
   * widens our outer guard (see upgradeKillDeadlineMs).
   */
  "image-pull": 10 * MINUTE,
  "upgrade-k8s": 60 * MINUTE,
};

/** Slack on top of talosctl's own deadlines before we stop it (process start, install, the API calls between). */
export const KILL_MARGIN_MS = MINUTE;

/**
 * When we stop a `talosctl upgrade` that has not returned. talosctl (1.13+, LifecycleService path) runs its
 * phases one after the other, each with its own deadline: image pull (none: our `image-pull` budget), install
 * (none), drain (`--drain-timeout`), reboot (`--timeout`) and the deferred uncordon (`--timeout` again). We
 * only stop it once all of them could have run out, so talosctl's own deadlines always fire first and its
 * deferred uncordon runs. The legacy path (nodes before 1.13) has a single `--timeout`, well inside this.
 */
export function upgradeKillDeadlineMs(
  budgets: { readonly timeoutMs: number; readonly drainTimeoutMs: number; readonly pullBudgetMs: number },
  marginMs: number = KILL_MARGIN_MS,
): number {
  return budgets.pullBudgetMs + budgets.drainTimeoutMs + 2 * budgets.timeoutMs + marginMs;
}

export const DEFAULT_POLL_INTERVAL_MS = 5000;

/** Parses `500ms`, `30s`, `5m`, `1h`, `14d` (a bare number is seconds). */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? "s";
  const factor =
    unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? MINUTE : unit === "h" ? 60 * MINUTE : 24 * 60 * MINUTE;
  return Math.round(value * factor);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
}
