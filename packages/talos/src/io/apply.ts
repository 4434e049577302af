// `talosctl apply-config` per node, each decrypted config handed over on talosctl's stdin (never written to disk).
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Cluster } from "@kubeforge/config";
import { execa } from "execa";
import { TalosError } from "../errors.js";
import type { SecretSealer } from "../store/sealer.js";
import { childEnv } from "./child-env.js";
import { MACHINE_CONFIG_FORMAT } from "./generate-output.js";
import { machineConfigFile, type TalosLayout, talosconfigFile } from "./layout.js";
import { COMMAND_NOT_FOUND, withPipeStdin } from "./stdin-pipe.js";
import { prepareTalosconfig, type TalosconfigHandoff } from "./talosconfig-pipe.js";

export interface ApplyOptions {
  readonly cluster: Cluster;
  readonly layout: TalosLayout;
  readonly sealer: SecretSealer;
  /** Only these hostnames; default all nodes. */
  readonly nodes?: readonly string[];
  /** First install: the node runs in maintenance mode and has no client certificate yet. */
  readonly insecure?: boolean;
  /** Return the commands without running them. */
  readonly dryRun?: boolean;
  /** First install: the address the node has in maintenance mode (DHCP), instead of its static one. One node only. */
  readonly address?: string;
  /** First install: server certificate fingerprints talosctl accepts (`--cert-fingerprint`); default no check. */
  readonly certFingerprints?: readonly string[];
  /** talosctl `--mode` (auto, interactive, no-reboot, reboot, staged, try). */
  readonly mode?: ApplyMode;
  /** @default "talosctl" */
  readonly talosctl?: string;
  /** Called before each node, e.g. to print progress. */
  readonly onCommand?: (command: readonly string[]) => void;
  /** Called with a warning, e.g. when the talosconfig cannot go through a named pipe. */
  readonly onWarning?: (message: string) => void;
  /** @default "mkfifo" */
  readonly mkfifo?: string;
}

// talosctl's apply modes (cmd/talosctl/pkg/talos/helpers/mode.go): `interactive` is gone from 1.13 (in 1.12 its
// TUI installer never sent our config anyway), `reboot` from 1.14.
export const APPLY_MODES = ["auto", "no-reboot", "reboot", "staged", "try"] as const;
export type ApplyMode = (typeof APPLY_MODES)[number];

/** The modes the talosctl of `talosVersion` (v1.13.9, 1.14.0-rc.1, …) accepts. */
export function applyModesFor(talosVersion: string): readonly ApplyMode[] {
  const minor = Number(/^v?1\.(\d+)\./.exec(talosVersion)?.[1] ?? 0);
  return minor >= 14 ? APPLY_MODES.filter((mode) => mode !== "reboot") : APPLY_MODES;
}

const INSTALL_TALOSCTL =
  "install talosctl of your cluster's Talos version: `curl -sL https://talos.dev/install | sh` or `brew install siderolabs/tap/talosctl` (https://www.talos.dev/latest/talos-guides/install/talosctl/)";

export interface ApplyStep {
  readonly hostname: string;
  /** The talosctl argv; `<config>`/`<talosconfig>` stand for the temp files. */
  readonly command: readonly string[];
}

function commandFor(options: ApplyOptions, address: string, config: string, talosconfig: string): string[] {
  return [
    options.talosctl ?? "talosctl",
    "apply-config",
    "--nodes",
    address,
    "--file",
    config,
    ...(options.insecure
      ? [
          "--insecure",
          ...(options.certFingerprints ?? []).flatMap((fingerprint) => ["--cert-fingerprint", fingerprint]),
        ]
      : ["--talosconfig", talosconfig, "--endpoints", address]),
    ...(options.mode !== undefined ? ["--mode", options.mode] : []),
  ];
}

async function decrypted(file: string, sealer: SecretSealer): Promise<string> {
  const text = await readFile(file, "utf8").catch((cause: unknown) => {
    throw new TalosError(
      "E_CONFIG_INVALID",
      [{ file, path: "", message: "is missing", hint: "run `kubeforge-talos gen config` first" }],
      { cause },
    );
  });
  return sealer.open(text, { file, format: MACHINE_CONFIG_FORMAT });
}

/**
 * talosctl reads the machine config from its stdin (as `kubeforge bootstrap` does): a decrypted config holds
 * the cluster's CA keys, and on stdin it never touches the disk, so no crash or `kill -9` can leave it there.
 */
const STDIN = "/dev/stdin";

const INTERRUPTS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Removes `directory` when the process is interrupted (Ctrl-C while talosctl runs): a signal's default
 * action ends the process without running `finally`, which would leave decrypted configs in the temp dir.
 * Returns the function that takes the handlers away again.
 */
function removeOnInterrupt(directory: string): () => void {
  const release = () => {
    for (const signal of INTERRUPTS) process.off(signal, onSignal);
  };
  function onSignal(signal: NodeJS.Signals) {
    rmSync(directory, { recursive: true, force: true });
    release();
    // Our handler is gone, so the signal's default action (or the app's own handler) applies again.
    process.kill(process.pid, signal);
  }
  for (const signal of INTERRUPTS) process.on(signal, onSignal);
  return release;
}

/** Options that only make sense for a first install, or for one node. */
function checkTargets(options: ApplyOptions, count: number): void {
  const issues = [];
  if (options.address !== undefined && !options.insecure) {
    issues.push({
      path: "--address",
      message: "is only for --insecure (a node in maintenance mode)",
      hint: "add --insecure, or drop --address to reach the node at its static address",
    });
  }
  if (options.address !== undefined && count !== 1) {
    issues.push({
      path: "--address",
      message: `names one node's address but ${count} nodes are selected`,
      hint: "select the node with --node <hostname>",
    });
  }
  if (options.certFingerprints?.length && !options.insecure) {
    issues.push({
      path: "--cert-fingerprint",
      message: "is only for --insecure",
      hint: "later applies are verified against the talosconfig's CA",
    });
  }
  const modes = applyModesFor(options.cluster.talos.version);
  if (options.mode !== undefined && !(modes as readonly string[]).includes(options.mode)) {
    issues.push({
      path: "--mode",
      message: `${options.mode} is not an apply mode of talosctl ${options.cluster.talos.version}`,
      hint: `use one of ${modes.join(", ")}`,
    });
  }
  if (issues.length > 0) throw new TalosError("E_CONFIG_INVALID", issues);
}

export async function applyConfigs(options: ApplyOptions): Promise<ApplyStep[]> {
  const { cluster, layout, sealer } = options;
  const wanted = options.nodes ?? cluster.nodes.map((node) => node.hostname);
  const unknown = wanted.filter((name) => !cluster.nodes.some((node) => node.hostname === name));
  if (unknown.length > 0) {
    throw new TalosError("E_CONFIG_INVALID", [
      {
        path: "--node",
        message: `${unknown.join(", ")} is not a node of ${cluster.name}`,
        hint: `use one of ${cluster.nodes.map((node) => node.hostname).join(", ")}`,
      },
    ]);
  }
  const nodes = cluster.nodes.filter((node) => wanted.includes(node.hostname));
  checkTargets(options, nodes.length);
  const targetOf = (node: { address: string }) => options.address ?? node.address;
  // A dry run must fail like the real one would when there is nothing to apply.
  const missing = [
    ...nodes.map((node) => machineConfigFile(layout.generated, node.hostname)),
    ...(options.insecure ? [] : [talosconfigFile(layout.generated)]),
  ].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new TalosError(
      "E_CONFIG_INVALID",
      missing.map((file) => ({
        file,
        path: "",
        message: "is missing: nothing to apply",
        hint: "run `kubeforge-talos gen config` first",
      })),
    );
  }
  if (options.dryRun) {
    return nodes.map((node) => ({
      hostname: node.hostname,
      command: commandFor(options, targetOf(node), "<config>", "<talosconfig>"),
    }));
  }
  // The talosconfig (client credentials; --insecure needs none) is read by path: a named pipe in a private (0700)
  // temp folder, written once per talosctl run, so no kill -9 leaves the credentials on disk (where mkfifo fails, a
  // 0600 file). The folder is removed below and on Ctrl-C. The machine configs go over stdin.
  const directory = options.insecure ? undefined : await mkdtemp(path.join(tmpdir(), "kubeforge-talos-"));
  const release = directory ? removeOnInterrupt(directory) : () => {};
  let talosconfig: TalosconfigHandoff | undefined;
  const steps: ApplyStep[] = [];
  try {
    if (directory) {
      talosconfig = await prepareTalosconfig({
        directory,
        text: await decrypted(talosconfigFile(layout.generated), sealer),
        ...(options.mkfifo !== undefined ? { mkfifo: options.mkfifo } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      });
    }
    for (const node of nodes) {
      const plaintext = await decrypted(machineConfigFile(layout.generated, node.hostname), sealer);
      const command = commandFor(options, targetOf(node), STDIN, talosconfig?.path ?? "");
      options.onCommand?.(command);
      try {
        // The age key stays with us: talosctl needs none of the SOPS variables.
        const [shell, args] = withPipeStdin(command[0] as string, command.slice(1));
        const child = execa(shell, args, {
          input: plaintext,
          stdout: "inherit",
          stderr: "inherit",
          env: childEnv(),
          extendEnv: false,
          reject: false,
        });
        // Written only now that talosctl runs, and released if it ends without reading it.
        const served = talosconfig?.serve(child).then(
          () => undefined,
          (cause: unknown) => cause,
        );
        const result = await child;
        const serveFailed = await served;
        if (serveFailed) throw serveFailed;
        // `sh` exits 127 when it cannot find talosctl: the same error as spawning it directly
        if (result.exitCode === COMMAND_NOT_FOUND)
          throw Object.assign(new Error(`${command[0]}: not found`), { code: "ENOENT" });
        if (result.exitCode !== 0 || result.signal)
          throw new Error(
            `Command failed with ${result.signal ?? `exit code ${result.exitCode}`}: ${command.join(" ")}`,
          );
      } catch (cause) {
        if ((cause as { code?: string }).code === "ENOENT") {
          throw new TalosError(
            "E_TALOSCTL_MISSING",
            [
              {
                path: "talosctl",
                message: `${command[0]} is not installed (not found on PATH)`,
                hint: INSTALL_TALOSCTL,
              },
            ],
            { cause },
          );
        }
        throw new TalosError(
          "E_TALOSCTL_FAILED",
          [
            {
              path: node.hostname,
              message: `talosctl apply-config failed: ${(cause as Error).message.split("\n")[0]}`,
              hint: "check that the node is reachable on port 50000 (use --insecure for a node in maintenance mode)",
            },
          ],
          { cause },
        );
      }
      steps.push({
        hostname: node.hostname,
        command: commandFor(options, targetOf(node), "<config>", "<talosconfig>"),
      });
    }
  } finally {
    if (directory) await rm(directory, { recursive: true, force: true });
    release();
  }
  return steps;
}
