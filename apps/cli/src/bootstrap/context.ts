// What every bootstrap step reads: the cluster, where its files are, how to run tools and reach the API.

import type { CommandIo } from "@kubeforge/cli-kit";
import type { Cluster } from "@kubeforge/config";
import type { KubeApi } from "./kube.js";

export interface BootstrapContext {
  readonly cluster: Cluster;
  readonly clusterDir: string;
  /** Gitignored folder for state, talosconfig and (by default) the kubeconfig. */
  readonly stateDir: string;
  readonly talosconfig: string;
  readonly kubeconfig: string;
  /** Where apply-config reaches each node in maintenance mode, by hostname: its static address, or its DHCP address from --node-address. Later steps use the static address (the applied config sets it). */
  readonly addresses: Readonly<Record<string, string>>;
  /** By hostname: the maintenance-mode certificate fingerprints apply-config accepts (`--cert-fingerprint`); none: unverified. */
  readonly certFingerprints: Readonly<Record<string, readonly string[]>>;
  /** Refuse to run while a node still to be configured has no fingerprint (`--require-fingerprint`). */
  readonly requireFingerprint: boolean;
  readonly ageKeyFile: string;
  readonly fluxInstall: "operator" | "flux-cli";
  /** Extra CRD manifests (files or URLs) applied server-side before Cilium and Flux. */
  readonly crds: readonly string[];
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly io: CommandIo;
  /** Runs a tool; rejects with a CliError naming the command and its stderr. */
  readonly exec: (tool: string, args: readonly string[], options?: { input?: string }) => Promise<string>;
  readonly kube: () => Promise<KubeApi>;
  /** Decrypts a SOPS file of the cluster with the user's age key. */
  readonly decrypt: (file: string) => Promise<string>;
}

export interface Step {
  readonly id: string;
  readonly title: string;
  /** The hostname whose machine config this step applies (apply steps only). */
  readonly node?: string;
  run(context: BootstrapContext): Promise<string | undefined>;
  /**
   * For a step that applies a machine config: what it applies now (recorded when it runs, compared on resume). A
   * finished step whose config or node address changed since is not skipped silently.
   */
  applies?(context: BootstrapContext): Promise<AppliedTarget>;
}

/** A machine config as an apply step would apply it now. */
export interface AppliedTarget {
  readonly hostname: string;
  /** The encrypted config in talos/generated/. */
  readonly file: string;
  /** The node's static address (what later steps use, and what the config sets). */
  readonly address: string;
  /** SHA-256 (hex) of the decrypted config: what talosctl receives. */
  readonly digest: string;
}

/** Polls `probe` until it returns a value or the timeout passes. */
export async function waitFor<T>(
  context: Pick<BootstrapContext, "timeoutMs" | "pollMs">,
  probe: () => Promise<T | undefined>,
  onTimeout: () => Error,
): Promise<T> {
  const deadline = Date.now() + context.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw onTimeout();
    await new Promise((resolve) => setTimeout(resolve, context.pollMs));
  }
}
