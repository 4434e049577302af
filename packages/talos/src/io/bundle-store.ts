// Reading and creating the SOPS-encrypted bundle. Creation is explicit only: nothing here mints PKI on a read path.
import path from "node:path";
import { parseDocument } from "yaml";
import { TalosError } from "../errors.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import { parseBundle, stringifyBundle } from "../secrets/read-bundle.js";
import type { SecretSealer } from "../store/sealer.js";
import { readTextIfExists, writeFileAtomic } from "./files.js";
import { clusterArgOf, recoverBundleCommand } from "./recovery-command.js";

export interface ReadBundleOptions {
  readonly file: string;
  readonly sealer: SecretSealer;
}

/** Reads and decrypts the bundle; fails with E_BUNDLE_MISSING / E_BUNDLE_DECRYPT and never creates one. */
export async function readBundle(options: ReadBundleOptions): Promise<SecretsBundle> {
  const { file, sealer } = options;
  const text = await readTextIfExists(file);
  if (text === undefined) {
    throw new TalosError("E_BUNDLE_MISSING", [
      {
        file,
        path: "",
        message: "does not exist, so there are no cluster secrets to build configs from",
        hint: `for a new cluster run \`kubeforge-talos gen secrets --cluster ${clusterArgOf(file)}\` once; for an existing one import its bundle with \`${recoverBundleCommand(file, "secrets.yaml")}\` (never generate new secrets for a running cluster)`,
      },
    ]);
  }
  if (!sealer.isSealed(text, "yaml")) throw unsealedBundleError(file, text);
  let plaintext: string;
  try {
    plaintext = await sealer.open(text, { file, format: "yaml" });
  } catch (cause) {
    // The sealer's error already names the file and what SOPS said: keep it, add only how to fix it.
    const inner = cause instanceof TalosError ? cause.issues[0]?.message : undefined;
    throw new TalosError(
      "E_BUNDLE_DECRYPT",
      [
        {
          file,
          path: "",
          message: inner ?? `cannot be decrypted: ${(cause as Error).message.split("\n")[0]}`,
          hint: "set SOPS_AGE_KEY_FILE (or SOPS_AGE_KEY) to an age identity the bundle is encrypted to",
        },
      ],
      { cause },
    );
  }
  return parseBundle(plaintext, file);
}

/**
 * Why a bundle file without SOPS metadata cannot be used: a plaintext bundle (its keys are exposed), or a
 * damaged file (truncated, bad merge) that must be restored — never reported as "leaked" when it is not.
 */
export function unsealedBundleError(file: string, text: string): TalosError {
  const generated = path.join(path.dirname(path.resolve(file)), "generated", "<control-plane>.sops.yaml");
  // gen secrets never writes over an existing file: the damaged one has to go first
  const restore = `restore it from git (\`git checkout -- ${path.relative(process.cwd(), file) || file}\`) or your backup; without a good copy, move it aside and recover it with \`${recoverBundleCommand(file, generated)}\``;
  if (text.includes("ENC[")) {
    return new TalosError("E_BUNDLE_DECRYPT", [
      {
        file,
        path: "sops",
        message: "is damaged: it holds SOPS-encrypted values but no sops metadata to decrypt them",
        hint: restore,
      },
    ]);
  }
  const document = parseDocument(text);
  const data = document.errors.length === 0 ? (document.toJS() as unknown) : undefined;
  const certs = data !== null && typeof data === "object" ? (data as Record<string, unknown>).certs : undefined;
  if (certs === undefined || certs === null || typeof certs !== "object") {
    return new TalosError("E_BUNDLE_INVALID", [
      {
        file,
        path: "",
        message: "is damaged: it is neither a SOPS-encrypted nor a plain secrets bundle",
        hint: restore,
      },
    ]);
  }
  return new TalosError("E_BUNDLE_DECRYPT", [
    {
      file,
      path: "",
      message: "is not SOPS-encrypted",
      // gen secrets never writes over an existing file, so the plaintext one has to move first.
      hint: `it holds the cluster's CA keys in the clear: move it out of the repository, then run \`${recoverBundleCommand(file, "<moved file>")}\` to store it encrypted again (if it was ever committed, treat those keys as leaked)`,
    },
  ]);
}

export interface WriteBundleOptions {
  readonly file: string;
  readonly bundle: SecretsBundle;
  readonly sealer: SecretSealer;
}

/** Encrypts and writes a new bundle; refuses (E_BUNDLE_EXISTS) when the file exists. */
/** Refuses (E_BUNDLE_EXISTS) when the bundle file exists: kubeforge never replaces one. */
export async function assertNoBundle(file: string): Promise<void> {
  if ((await readTextIfExists(file)) !== undefined) {
    throw new TalosError("E_BUNDLE_EXISTS", [
      {
        file,
        path: "",
        message: "already exists",
        hint: "kubeforge never overwrites a secrets bundle: new PKI locks you out of a running cluster. Delete the file yourself only to re-key a cluster you will reinstall",
      },
    ]);
  }
}

export async function createBundleFile(options: WriteBundleOptions): Promise<void> {
  const { file, bundle, sealer } = options;
  await assertNoBundle(file);
  const sealed = await sealer.seal(stringifyBundle(bundle), { file, format: "yaml" });
  await writeFileAtomic(file, sealed, { exclusive: true });
}
