// Flags shared by the commands and their parsing into typed options.
import { homedir } from "node:os";
import path from "node:path";
import { COMMAND_TIMEOUTS, DEFAULT_TIMEOUTS, parseDuration, type Timeouts } from "../timeouts.js";
import type { ConnectFlags } from "./connect.js";

export interface Flags extends ConnectFlags {
  readonly cluster?: string;
  readonly "state-dir"?: string;
  readonly evidence?: string[];
  readonly releases?: string;
  readonly timeout?: string[];
  readonly poll?: string;
  readonly "dry-run"?: boolean;
  readonly force?: boolean;
  readonly reason?: string;
  readonly json?: boolean;
  readonly "assume-talos"?: string;
  readonly "assume-kubernetes"?: string;
  readonly "retry-node"?: string;
  readonly "evidence-key"?: string;
  readonly "evidence-max-age"?: string;
}

/** A mistake in the command line; the CLI prints usage and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** `--timeout 2m` sets every gate; `--timeout etcd-member-rejoined=90s` sets one. */
export function parseTimeouts(values: readonly string[] = []): Partial<Timeouts> {
  const out: Partial<Record<keyof Timeouts, number>> = {};
  for (const value of values) {
    const [name, duration] = value.includes("=") ? value.split("=", 2) : [undefined, value];
    const ms = parseDuration(duration ?? "");
    if (ms === undefined) throw new UsageError(`--timeout ${value}: "${duration}" is not a duration like 90s or 5m`);
    if (ms <= 0) throw new UsageError(`--timeout ${value}: a timeout must be longer than 0 (e.g. 90s or 5m)`);
    if (name === undefined) {
      for (const key of Object.keys(DEFAULT_TIMEOUTS) as (keyof Timeouts)[]) {
        if (!(COMMAND_TIMEOUTS as readonly string[]).includes(key)) out[key] = ms;
      }
    } else if (name in DEFAULT_TIMEOUTS) {
      out[name as keyof Timeouts] = ms;
    } else {
      throw new UsageError(
        `--timeout ${value}: unknown gate "${name}" (one of ${Object.keys(DEFAULT_TIMEOUTS).join(", ")})`,
      );
    }
  }
  return out;
}

export function parsePoll(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new UsageError(`--poll ${value} is not a duration like 5s`);
  return ms;
}

/** The cluster to upgrade: --cluster, else (undefined) the current folder, as `kubeforge build` does. */
export function requireCluster(flags: Flags): string | undefined {
  return flags.cluster || undefined;
}

/**
 * `$XDG_STATE_HOME/kubeforge/upgrade` (or `~/.local/state/kubeforge/upgrade`), never the working directory:
 * two shells in two folders must find the same state and lock (the cluster Lease guards across machines).
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME?.trim() || path.join(env.HOME?.trim() || homedir(), ".local", "state");
  return path.join(path.resolve(base), "kubeforge", "upgrade");
}

export function statePaths(flags: Flags, cluster: string) {
  const dir = path.resolve(flags["state-dir"] ?? defaultStateDir());
  return { stateFile: path.join(dir, `${cluster}.state.json`), evidenceDir: path.join(dir, "evidence") };
}

/** `--etcd-endpoints`: comma-separated http(s) URLs with a host and a port. */
export function parseEndpoints(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const endpoints = value.split(",").map((entry) => entry.trim());
  for (const endpoint of endpoints) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || !url.hostname) {
      throw new UsageError(`--etcd-endpoints: "${endpoint}" is not a URL like https://192.168.1.101:2379`);
    }
  }
  return endpoints;
}
