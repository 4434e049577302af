// A typed wrapper over the talosctl commands the orchestrator needs (version, upgrade, upgrade-k8s).
import { execa } from "execa";
import { UpgradeError } from "./errors.js";

export interface TalosctlOptions {
  /** talosctl binary. @default "talosctl" (looked up on PATH) */
  readonly bin?: string;
  /** talosconfig file (e.g. from @kubeforge/talos); talosctl's own default when unset. */
  readonly talosconfig?: string;
  /** Extra environment for the child (tests point PATH at the simulator's talosctl). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface TalosctlRunOptions {
  readonly timeoutMs: number;
  /** Called with each stdout/stderr line while the command runs. */
  readonly onLine?: (line: string) => void;
  /** Called with the child's pid once it runs (the run records it for a resume after kill -9). */
  readonly onSpawn?: (pid: number) => void;
}

export interface Talosctl {
  /** The Talos tag the node's machined reports (`Server: Tag:`). */
  version(node: string, options: TalosctlRunOptions): Promise<string>;
  /** `talosctl upgrade --nodes <node> --image <image> --wait --timeout …`. */
  upgrade(node: string, image: string, options: TalosctlRunOptions): Promise<void>;
  /** `talosctl upgrade-k8s --nodes <controlPlane> --to <version>`. */
  upgradeKubernetes(controlPlane: string, to: string, options: TalosctlRunOptions): Promise<void>;
  /** The machine stage (`talosctl get machinestatus`): running, upgrading, rebooting, … */
  machineStage?(node: string, options: TalosctlRunOptions): Promise<string>;
  /** The kernel's boot ID (`talosctl read /proc/sys/kernel/random/boot_id`): changes at every reboot. */
  bootId?(node: string, options: TalosctlRunOptions): Promise<string>;
}

/** Reads `spec.stage` from `talosctl get machinestatus -o json`. */
export function parseMachineStage(output: string): string | undefined {
  return /"stage"\s*:\s*"([a-z_]+)"/.exec(output)?.[1];
}

/** Reads the server tag from `talosctl version` output (Client: … Server: NODE: … Tag: v1.13.9). */
export function parseServerTag(output: string): string | undefined {
  const server = output.split(/^Server:\s*$/m)[1];
  if (server === undefined) return undefined;
  return /^\s*Tag:\s*(\S+)/m.exec(server)?.[1];
}

async function runTalosctl(
  config: TalosctlOptions,
  args: readonly string[],
  options: TalosctlRunOptions,
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
      hint: "raise the gate timeout, or look at the node's console",
    });
  }
  if (result.exitCode !== 0) {
    const tail = output.trim().split("\n").slice(-5).join(" | ");
    throw new UpgradeError("E_UPGRADE", `\`${command}\` exited with ${result.exitCode}: ${tail || "no output"}`);
  }
  return output;
}

export function createTalosctl(config: TalosctlOptions = {}): Talosctl {
  return {
    async version(node, options) {
      const output = await runTalosctl(config, ["version", "--nodes", node], options);
      const tag = parseServerTag(output);
      if (!tag) throw new UpgradeError("E_UPGRADE", `\`talosctl version --nodes ${node}\` printed no server tag`);
      return tag;
    },
    async upgrade(node, image, options) {
      const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
      await runTalosctl(config, ["upgrade", "--nodes", node, "--image", image, "--wait", "--timeout", `${seconds}s`], {
        ...options,
        timeoutMs: options.timeoutMs + 10_000,
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
