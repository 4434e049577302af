// rotate: a new data key for a file; every value is re-encrypted and wrapped for the same recipients.
import { randomBytes } from "node:crypto";
import { ValueCipher } from "../cipher.js";
import { SopsError } from "../errors.js";
import type { SopsFormat, StoreOptions } from "../formats/index.js";
import { type OpenOptions, openDocument } from "./open.js";
import { sealDocument, wrapForGroups } from "./seal.js";

export interface RotateOptions extends OpenOptions, StoreOptions {
  readonly format: SopsFormat;
  readonly now?: Date;
}

/** Re-encrypts a document under a fresh data key for its current age recipients. */
export async function rotateText(ciphertext: string | Uint8Array, options: RotateOptions): Promise<string> {
  const opened = await openDocument(ciphertext, options);
  const { metadata } = opened;
  const others = [...new Set(metadata.keyGroups.flatMap((g) => Object.keys(g.others)))];
  if (others.length) {
    throw new SopsError(
      "E_SOPS_UNSUPPORTED",
      `cannot rotate: the file also uses ${others.join(", ")} keys, which kubeforge-sops cannot re-wrap`,
      {
        file: options.file,
        hint: "remove those keys with updatekeys first, or rotate with the Go sops",
      },
    );
  }
  const dataKey = randomBytes(32);
  const keyGroups = await wrapForGroups(
    dataKey,
    metadata.keyGroups.map((g) => g.age.map((e) => e.recipient)),
    { shamirThreshold: metadata.shamirThreshold },
  );
  return sealDocument(opened.branches, {
    ...options,
    rules: metadata,
    keyGroups,
    useKeyGroups: metadata.useKeyGroups,
    shamirThreshold: metadata.shamirThreshold,
    cipher: new ValueCipher(dataKey),
  });
}
