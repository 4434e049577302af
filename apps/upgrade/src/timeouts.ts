// Per-gate timeouts and the poll interval, with defaults sized for real hardware (tests shorten them).
import type { GateName } from "./gates/names.js";

export type Timeouts = Record<GateName | "upgrade" | "upgrade-k8s", number>;

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
  "pods-running": 10 * MINUTE,
  "kubelet-version": 30 * MINUTE,
  upgrade: 30 * MINUTE,
  "upgrade-k8s": 60 * MINUTE,
};

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
