// A typed wrapper over the talosctl commands the orchestrator needs (version, upgrade, upgrade-k8s).
import { parseVersion } from "@kubeforge/config";
import { execa } from "execa";
import { UpgradeError } from "./errors.js";
import { KILL_MARGIN_MS, upgradeKillDeadlineMs } from "./timeouts.js";

export interface TalosctlOptions {
  /** talosctl binary. @default "talosctl" (looked up on PATH) */
  readonly bin?: string;
  /** talosconfig file (e.g. from @kubeforge/talos); talosctl's own default when unset. */
  readonly talosconfig?: string;
  /** Extra environment for the child (tests point PATH at the simulator's talosctl). */
  readonly env?: Readonly<Record<string, string>>;
  /** Slack on top of talosctl upgrade's own deadlines before we stop it. @default KILL_MARGIN_MS (1 min) */
  readonly killMarginMs?: number;
}

export interface TalosctlRunOptions {
  readonly timeoutMs: number;
  /** Called with each stdout/stderr line while the command runs. */
  readonly onLine?: (line: string) => void;
  /** Called with the child's pid once it runs (the run records it for a resume after kill -9). */
  readonly onSpawn?: (pid: number) => void;
}

export interface UpgradeRunOptions extends TalosctlRunOptions {
  /** talosctl's `--timeout`: how long it waits for the reboot, and again for the uncordon after it. */
  readonly timeoutMs: number;
  /** talosctl's `--drain-timeout` (passed when the talosctl client has it: 1.13+). @default 5 min */
  readonly drainTimeoutMs?: number;
  /** Our budget for the image pull, which talosctl runs without a deadline. @default 10 min */
  readonly pullBudgetMs?: number;
  /** The node's name, for the `kubectl uncordon` hint when we have to stop talosctl. */
  readonly nodeName?: string;
}

export interface Talosctl {
  /** The Talos tag the node's machined reports (`Server: Tag:`). */
  version(node: string, options: TalosctlRunOptions): Promise<string>;
  /**
   * `talosctl upgrade --nodes <node> --image <image> --wait --timeout … [--drain --drain-timeout …]`, stopped
   * only once talosctl's own deadlines (pull, drain, reboot, uncordon) could all have run out.
   */
  upgrade(node: string, image: string, options: UpgradeRunOptions): Promise<void>;
  /** `talosctl upgrade-k8s --nodes <controlPlane> --to <version>`. */
  upgradeKubernetes(controlPlane: string, to: string, options: TalosctlRunOptions): Promise<void>;
  /** The machine stage (`talosctl get machinestatus`): running, upgrading, rebooting, … */
  machineStage?(node: string, options: TalosctlRunOptions): Promise<string>;
  /** The kernel's boot ID (`talosctl read /proc/sys/kernel/random/boot_id`): changes at every reboot. */
  bootId?(node: string, options: TalosctlRunOptions): Promise<string>;
}

/**
 * Talos' machine stages as `talosctl get machinestatus -o json` prints them: the enumer strings of
 * runtime.MachineStage (pkg/machinery/resources/runtime/machinestage_enumer.go, the same in 1.12–1.14;
 * MarshalText returns String()), so "shutting down" has a space, not an underscore.
 */
export const MACHINE_STAGES = [
  "unknown",
  "booting",
  "installing",
  "maintenance",
  "running",
  "rebooting",
  "shutting down",
  "resetting",
  "upgrading",
] as const;

export type MachineStage = (typeof MACHINE_STAGES)[number];

/** Reads `spec.stage` from `talosctl get machinestatus -o json` (any string: a newer Talos may add stages). */
export function parseMachineStage(output: string): string | undefined {
  return /"stage"\s*:\s*"([^"]+)"/.exec(output)?.[1];
}

/** Reads the client tag from `talosctl version --client` output (Client: … Tag: v1.13.9). */
export function parseClientTag(output: string): string | undefined {
  const client = output.split(/^Server:\s*$/m)[0]?.split(/^Client:\s*$/m)[1];
  if (client === undefined) return undefined;
  return /^\s*Tag:\s*(\S+)/m.exec(client)?.[1];
}

/**
 * Whether this talosctl client has `upgrade --drain/--drain-timeout`: flags are parsed by the client, so its
 * own version decides (added in 1.13; talosctl v1.12.11's upgrade.go has neither, and cobra refuses unknown
 * flags). Which path it then takes (LifecycleService with drain, or the legacy single-deadline API) depends
 * on the node: talosctl picks the legacy API for servers outside >1.13.0-alpha.2.
 */
export function clientHasDrainFlags(clientTag: string | undefined): boolean {
  const version = clientTag === undefined ? undefined : parseVersion(clientTag);
  if (!version) return false;
  return version.major > 1 || (version.major === 1 && version.minor >= 13);
}

/** Reads the server tag from `talosctl version` output (Client: … Server: NODE: … Tag: v1.13.9). */
export function parseServerTag(output: string): string | undefined {
  const server = output.split(/^Server:\s*$/m)[1];
  if (server === undefined) return undefined;
  return /^\s*Tag:\s*(\S+)/m.exec(server)?.[1];
}

/**
 * talosctl 1.13/1.14's drain failure, as it prints it: nodedrain.CordonAndDrain returns
 * `error draining node "<kubernetes node name>": <cause>` (cmd/talosctl/pkg/talos/nodedrain/nodedrain.go), and
 * talosctl's Execute prints the error on stderr as is. It only drains after the cordon succeeded, and its uncordon is
 * deferred after the drain (cmd/talosctl/cmd/talos/upgrade.go), so the node is left cordoned. The cause is usually
 * kubectl's drain library: `error when evicting pods/"web-0" -n "apps": global timeout reached: 5m0s`.
 */
export function parseDrainFailure(output: string): { node: string; cause: string } | undefined {
  const match = /^error draining node "([^"]+)": (.*)$/m.exec(output);
  return match ? { node: match[1] ?? "", cause: (match[2] ?? "").trim() } : undefined;
}

/** The fix for a drain that failed: the node is cordoned, was not rebooted, and how to undo or retry. */
export function drainFailureHint(failure: { node: string; cause: string }): string {
  const { node } = failure;
  return (
    `talosctl could not drain ${node} and returned before its deferred uncordon was set up, so ${node} is left cordoned: ` +
    `check with \`kubectl get node ${node}\` (SchedulingDisabled) and run \`kubectl uncordon ${node}\`. ` +
    `The upgrade did not reboot ${node}: it still runs its old Talos (talosctl had already installed the new image on ` +
    "its disk, which its next reboot starts). Fix what blocked the drain (a PodDisruptionBudget with no room, a pod " +
    "that does not stop) or raise --timeout drain=…, then run the upgrade again"
  );
}

/** talosctl's own `--drain-timeout` default (nodedrain.DefaultDrainTimeout, 1.13 and 1.14). */
const TALOSCTL_DEFAULT_DRAIN_MS = 5 * 60_000;
const DEFAULT_PULL_BUDGET_MS = 10 * 60_000;

async function runTalosctl(
  config: TalosctlOptions,
  args: readonly string[],
  options: TalosctlRunOptions & {
    readonly timeoutHint?: string;
    /** A hint that explains a failed run from its output, when it can. */
    readonly exitHint?: (output: string) => string | undefined;
  },
): Promise<string> {
  const bin = config.bin ?? "talosctl";
  const full = [...(config.talosconfig ? ["--talosconfig", config.talosconfig] : []), ...args];
  const child = execa(bin, full, {
    reject: false,
    all: true,
    timeout: options.timeoutMs,
    env: config.env,
    stdin: "ignore",
    // Its own process group: a resumed run can stop an orphaned talosctl as a whole, and a Ctrl-C of the CLI
    // does not cut an upgrade off halfway (the resume waits for it instead).
    detached: true,
  });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  const lines: string[] = [];
  child.all?.setEncoding("utf8");
  let rest = "";
  child.all?.on("data", (chunk: string) => {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      options.onLine?.(line);
    }
  });
  const result = await child;
  if (rest) lines.push(rest);
  const output = lines.join("\n");
  const command = `talosctl ${args.join(" ")}`;
  if ((result as { code?: string }).code === "ENOENT" || /ENOENT/.test(String(result.message ?? ""))) {
    throw new UpgradeError("E_CONNECT", `${bin} is not installed or not on PATH`, {
      hint: "install talosctl matching the cluster's Talos version (https://www.talos.dev), or pass --talosctl <path>",
    });
  }
  if (result.timedOut) {
    throw new UpgradeError("E_UPGRADE", `\`${command}\` did not finish within ${options.timeoutMs / 1000}s`, {
      hint: options.timeoutHint ?? "raise the gate timeout, or look at the node's console",
    });
  }
  if (result.exitCode !== 0) {
    const tail = output.trim().split("\n").slice(-5).join(" | ");
    const hint = options.exitHint?.(output);
    throw new UpgradeError(
      "E_UPGRADE",
      `\`${command}\` exited with ${result.exitCode}: ${tail || "no output"}`,
      hint ? { hint } : {},
    );
  }
  return output;
}

export function createTalosctl(config: TalosctlOptions = {}): Talosctl {
  let drainFlags: Promise<boolean> | undefined;
  const hasDrainFlags = () => {
    drainFlags ??= runTalosctl(config, ["version", "--client"], { timeoutMs: 10_000 }).then(
      (output) => clientHasDrainFlags(parseClientTag(output)),
      // Unknown client: leave the flags out (an old talosctl would refuse them); our deadline still
      // assumes talosctl's default drain timeout.
      () => false,
    );
    return drainFlags;
  };
  return {
    async version(node, options) {
      const output = await runTalosctl(config, ["version", "--nodes", node], options);
      const tag = parseServerTag(output);
      if (!tag) throw new UpgradeError("E_UPGRADE", `\`talosctl version --nodes ${node}\` printed no server tag`);
      return tag;
    },
    async upgrade(node, image, options) {
      const seconds = (ms: number) => `${Math.max(1, Math.ceil(ms / 1000))}s`;
      const drainTimeoutMs = options.drainTimeoutMs ?? TALOSCTL_DEFAULT_DRAIN_MS;
      const args = ["upgrade", "--nodes", node, "--image", image, "--wait", "--timeout", seconds(options.timeoutMs)];
      // Explicit, so the drain deadline is ours (and in the deadline below), not whatever default talosctl has.
      if (await hasDrainFlags()) args.push("--drain", "--drain-timeout", seconds(drainTimeoutMs));
      const killAfterMs = upgradeKillDeadlineMs(
        {
          timeoutMs: options.timeoutMs,
          drainTimeoutMs,
          pullBudgetMs: options.pullBudgetMs ?? DEFAULT_PULL_BUDGET_MS,
        },
        config.killMarginMs ?? KILL_MARGIN_MS,
      );
      const name = options.nodeName ?? node;
      await runTalosctl(config, args, {
        ...options,
        timeoutMs: killAfterMs,
        timeoutHint:
          `we stopped talosctl before its deferred uncordon could run, so ${name} may be left cordoned: ` +
          `check with \`kubectl get node ${name}\` (SchedulingDisabled) and run \`kubectl uncordon ${name}\` once it is Ready; ` +
          "then raise --timeout image-pull=…, drain=… or upgrade=…",
        exitHint: (output) => {
          const failure = parseDrainFailure(output);
          return failure ? drainFailureHint(failure) : undefined;
        },
      });
    },
    async machineStage(node, options) {
      const output = await runTalosctl(config, ["get", "machinestatus", "--nodes", node, "-o", "json"], options);
      const stage = parseMachineStage(output);
      if (!stage)
        throw new UpgradeError("E_UPGRADE", `\`talosctl get machinestatus --nodes ${node}\` printed no stage`);
      return stage;
    },
    async bootId(node, options) {
      const output = await runTalosctl(config, ["read", "--nodes", node, "/proc/sys/kernel/random/boot_id"], options);
      const id = output.trim().split("\n").at(-1)?.trim();
      if (!id) throw new UpgradeError("E_UPGRADE", `\`talosctl read --nodes ${node} boot_id\` printed nothing`);
      return id;
    },
    async upgradeKubernetes(controlPlane, to, options) {
      await runTalosctl(config, ["upgrade-k8s", "--nodes", controlPlane, "--to", to.replace(/^v/, "")], options);
    },
  };
}
