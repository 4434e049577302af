// What every command gets from the CLI entry: parsed options and the output streams.
export interface CommandOptions {
  readonly cluster: string;
  readonly from?: string;
  readonly plaintext?: boolean;
  /** gen config: compare talos/generated/ with a fresh render instead of writing it. */
  readonly check?: boolean;
  readonly talosVersion?: string;
  readonly nodes?: readonly string[];
  readonly insecure?: boolean;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
  /** gen secrets / gen config: replace the cluster's PKI on purpose (nodes must be reinstalled). */
  readonly rekey?: boolean;
  /** apply: talosctl --mode. */
  readonly mode?: string;
  /** apply --insecure: the address the node in maintenance mode has now (one --node only). */
  readonly address?: string;
  /** apply --insecure: accepted server certificate fingerprints (talosctl --cert-fingerprint). */
  readonly certFingerprints?: readonly string[];
}

export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}
