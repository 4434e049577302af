// What every command gets from the CLI entry: parsed options and the output streams.
export interface CommandOptions {
  readonly cluster: string;
  readonly from?: string;
  readonly plaintext?: boolean;
  readonly talosVersion?: string;
  readonly nodes?: readonly string[];
  readonly insecure?: boolean;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}
