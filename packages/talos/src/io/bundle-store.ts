// Reading and creating the SOPS-encrypted bundle. Creation is explicit only: nothing here mints PKI on a read path.
import { TalosError } from "../errors.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import { parseBundle, stringifyBundle } from "../secrets/read-bundle.js";
import type { SecretSealer } from "../store/sealer.js";
import { readTextIfExists, writeFileAtomic } from "./files.js";

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
        hint: "for a new cluster run `kubeforge-talos gen secrets --cluster <cluster.ts>` once; for an existing one import its bundle with `kubeforge-talos gen secrets --from secrets.yaml` (never generate new secrets for a running cluster)",
      },
    ]);
  }
  if (!sealer.isSealed(text, "yaml")) {
    throw new TalosError("E_BUNDLE_DECRYPT", [
      {
        file,
        path: "",
        message: "is not SOPS-encrypted",
        // gen secrets never writes over an existing file, so the plaintext one has to move first.
        hint: "it holds the cluster's CA keys in the clear: move it out of the repository, then run `kubeforge-talos gen secrets --from <moved file>` to store it encrypted again (if it was ever committed, treat those keys as leaked)",
      },
    ]);
  }
  let plaintext: string;
  try {
    plaintext = await sealer.open(text, { file, format: "yaml" });
  } catch (cause) {
    throw new TalosError(
      "E_BUNDLE_DECRYPT",
      [
        {
          file,
          path: "",
          message: `cannot be decrypted: ${(cause as Error).message.split("\n")[0]}`,
          hint: "set SOPS_AGE_KEY_FILE (or SOPS_AGE_KEY) to an age identity the bundle is encrypted to",
        },
      ],
      { cause },
    );
  }
  return parseBundle(plaintext, file);
}

export interface WriteBundleOptions {
  readonly file: string;
  readonly bundle: SecretsBundle;
  readonly sealer: SecretSealer;
}

/** Encrypts and writes a new bundle; refuses (E_BUNDLE_EXISTS) when the file exists. */
export async function createBundleFile(options: WriteBundleOptions): Promise<void> {
  const { file, bundle, sealer } = options;
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
  const sealed = await sealer.seal(stringifyBundle(bundle), { file, format: "yaml" });
  await writeFileAtomic(file, sealed, { exclusive: true });
}
