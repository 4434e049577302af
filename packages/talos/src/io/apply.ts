// `talosctl apply-config` per node, with each decrypted config in a 0600 temp file removed afterwards.
import { rmSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Cluster } from "@kubeforge/config";
import { execa } from "execa";
import { TalosError } from "../errors.js";
import type { SecretSealer } from "../store/sealer.js";
import { MACHINE_CONFIG_FORMAT } from "./generate-output.js";
import { machineConfigFile, type TalosLayout, talosconfigFile } from "./layout.js";

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
  /** @default "talosctl" */
  readonly talosctl?: string;
  /** Called before each node, e.g. to print progress. */
  readonly onCommand?: (command: readonly string[]) => void;
}

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
    ...(options.insecure ? ["--insecure"] : ["--talosconfig", talosconfig, "--endpoints", address]),
  ];
}

async function decryptTo(file: string, target: string, sealer: SecretSealer): Promise<void> {
  const text = await readFile(file, "utf8").catch((cause: unknown) => {
    throw new TalosError(
      "E_CONFIG_INVALID",
      [{ file, path: "", message: "is missing", hint: "run `kubeforge-talos gen config` first" }],
      { cause },
    );
  });
  await writeFile(target, await sealer.open(text, { file, format: MACHINE_CONFIG_FORMAT }), { mode: 0o600 });
}

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
  if (options.dryRun) {
    return nodes.map((node) => ({
      hostname: node.hostname,
      command: commandFor(options, node.address, "<config>", "<talosconfig>"),
    }));
  }
  const directory = await mkdtemp(path.join(tmpdir(), "kubeforge-talos-"));
  const release = removeOnInterrupt(directory);
  const steps: ApplyStep[] = [];
  try {
    const talosconfig = path.join(directory, "talosconfig");
    if (!options.insecure) await decryptTo(talosconfigFile(layout.generated), talosconfig, sealer);
    for (const node of nodes) {
      const config = path.join(directory, `${node.hostname}.yaml`);
      await decryptTo(machineConfigFile(layout.generated, node.hostname), config, sealer);
      const command = commandFor(options, node.address, config, talosconfig);
      options.onCommand?.(command);
      try {
        await execa(command[0] as string, command.slice(1), { stdio: "inherit" });
      } catch (cause) {
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
      } finally {
        await rm(config, { force: true });
      }
      steps.push({ hostname: node.hostname, command: commandFor(options, node.address, "<config>", "<talosconfig>") });
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
    release();
  }
  return steps;
}
