// Typed errors of the upgrade orchestrator. Only the CLI entry turns them into output and exit codes.

export type UpgradeErrorCode =
  /** The target is older than what runs, or no supported path exists. */
  | "E_PLAN"
  /** A release needed on the path is missing from the release table. */
  | "E_RELEASE_UNKNOWN"
  /** A gate before touching a node failed: nothing was changed on that node. */
  | "E_PRECHECK"
  /** `talosctl upgrade` / `upgrade-k8s` failed. */
  | "E_UPGRADE"
  /** A gate after an upgrade did not pass within its timeout. */
  | "E_POSTCHECK"
  /** A node rebooted into its old Talos version (Talos rolled back): the run stops until the user acts. */
  | "E_ROLLBACK"
  /** The etcd snapshot before the first node failed or did not check out: nothing was touched. */
  | "E_BACKUP"
  /** Production refused: staging has not run the target versions healthily. */
  | "E_PROMOTION"
  /** Another upgrade holds the lock. */
  | "E_LOCKED"
  /** The state file is unreadable or belongs to another plan. */
  | "E_STATE"
  /** Could not reach etcd, Kubernetes or talosctl at all. */
  | "E_CONNECT";

/** Something the operator must look at; `node` and `gate` say where it stopped. */
export class UpgradeError extends Error {
  override readonly name = "UpgradeError";
  readonly code: UpgradeErrorCode;
  readonly node: string | undefined;
  readonly gate: string | undefined;
  readonly hint: string | undefined;

  constructor(
    code: UpgradeErrorCode,
    message: string,
    options: { node?: string; gate?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.node = options.node;
    this.gate = options.gate;
    this.hint = options.hint;
  }
}

/** One line for a person: `[E_POSTCHECK] node-2 / etcd-member-healthy: … — hint`. */
export function formatUpgradeError(error: UpgradeError): string {
  const where = [error.node, error.gate].filter(Boolean).join(" / ");
  const head = where ? `[${error.code}] ${where}: ${error.message}` : `[${error.code}] ${error.message}`;
  return error.hint ? `${head} — ${error.hint}` : head;
}
