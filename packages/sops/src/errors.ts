// Typed errors of the sops package. Only the CLI entry turns them into output and exit codes.

export type SopsErrorCode =
  | "E_SOPS_PARSE" // the input is not valid YAML/JSON/dotenv/INI
  | "E_SOPS_NOT_ENCRYPTED" // no sops metadata: not a sops file
  | "E_SOPS_ALREADY_ENCRYPTED" // encrypting a file that already has sops metadata
  | "E_SOPS_METADATA" // the sops metadata is malformed
  | "E_SOPS_NO_KEY" // none of the identities opens the data key
  | "E_SOPS_NO_IDENTITY" // no age identity was found at all
  | "E_SOPS_UNSUPPORTED" // PGP/KMS-only files, Shamir groups, comment regexes …
  | "E_SOPS_MAC_MISMATCH" // the file was tampered with (or has no MAC)
  | "E_SOPS_DECRYPT" // a value failed AES-GCM authentication or is not in ENC[] format
  | "E_SOPS_NO_RULE" // .sops.yaml has creation_rules but none matches
  | "E_SOPS_CONFIG" // .sops.yaml is malformed
  | "E_SOPS_CONFLICT" // several selection rules (or options) that exclude each other
  | "E_SOPS_NO_RECIPIENTS" // nothing to encrypt to
  | "E_SOPS_RECIPIENT" // an age recipient string is invalid
  | "E_SOPS_EXTRACT" // --extract path not found
  | "E_SOPS_EDITOR" // $EDITOR failed
  | "E_SOPS_INTERRUPTED" // a signal ended the command (temp files removed)
  | "E_SOPS_UNCHANGED" // edit: the file was not modified (sops exits 200)
  | "E_SOPS_USAGE" // invalid arguments (set/unset index or value …)
  | "E_SOPS_DUMP" // the decrypted document cannot be written in the output format (a nested value for exec-env)
  | "E_SOPS_ENCRYPT" // a value cannot be encrypted as sops would (e.g. an integer beyond int64)
  | "E_SOPS_NOTHING_ENCRYPTED" // encrypt with requireEncrypted: the rules select none of a document's values
  | "E_SOPS_VERIFY" // an encrypted result did not decrypt again (never written)
  | "E_SOPS_LOCKOUT" // updatekeys would re-wrap a file so that no identity at hand opens it (--allow-lockout)
  | "E_SOPS_DECLINED" // updatekeys: no answer to "Is this okay? (y/n)" (end of input)
  | "E_SOPS_NOT_FOUND" // the input file does not exist
  | "E_SOPS_IO"; // a file could not be read or written

/** A SOPS operation failed on bad input. `file` names the file, `path` the place inside it. */
export class SopsError extends Error {
  override readonly name = "SopsError";
  readonly code: SopsErrorCode;
  readonly file?: string;
  readonly path?: string;
  readonly hint?: string;
  /** The message without file, path and hint. */
  readonly reason: string;
  constructor(
    code: SopsErrorCode,
    message: string,
    details: { file?: string; path?: string; hint?: string; cause?: unknown } = {},
  ) {
    const where = [details.file, details.path].filter(Boolean).join(": ");
    const text = details.hint ? `${message} — ${details.hint}` : message;
    super(where ? `${where}: ${text}` : text, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.reason = message;
    if (details.file !== undefined) this.file = details.file;
    if (details.path !== undefined) this.path = details.path;
    if (details.hint !== undefined) this.hint = details.hint;
  }

  /** The same error, attributed to a file (when it was raised deep in pure code). */
  withFile(file: string | undefined): SopsError {
    if (!file || this.file) return this;
    return new SopsError(this.code, this.reason, { file, path: this.path, hint: this.hint, cause: this.cause });
  }

  /** The same error, placed at a path inside the document. */
  atPath(path: string): SopsError {
    if (this.path) return this;
    return new SopsError(this.code, this.reason, { file: this.file, path, hint: this.hint, cause: this.cause });
  }
}
