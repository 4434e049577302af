// The last check before an encrypted file is written: it must open again. We re-read the text just
// emitted, open it with the data key through the same code as a decrypt (metadata, rules, paths and
// AADs, type tags, MAC recomputed and the stored MAC decrypted) and compare the plaintext. Values whose
// ciphertext and AAD are exactly what this sealing produced skip the AES call after the first 64 (the
// cipher recorded their bytes; see ValueCipher's `produced`): a value moved, changed or mis-serialised
// is not found and is decrypted for real. The Shamir shares were proven to recombine when they were
// split (shamir.ts).
import { type ProducedValues, ValueCipher } from "../cipher.js";
import { SopsError } from "../errors.js";
import { emitPlainDocument, type SopsFormat } from "../formats/index.js";
import { shamirProblem } from "../shamir.js";
import { sameBranches, type TreeMap } from "../tree.js";
import { openWithCipher, readEncryptedDocument } from "./open.js";

function same(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/** Throws unless `text` decrypts with `dataKey` to `plaintext` with a valid MAC and usable key groups. */
export function verifySealed(
  text: string,
  plaintext: readonly TreeMap[],
  options: { format: SopsFormat; dataKey: Uint8Array; file?: string; produced?: ProducedValues },
): void {
  const fail = (why: string, cause?: unknown) =>
    new SopsError("E_SOPS_VERIFY", `the encrypted result does not decrypt again (${why}); nothing was written`, {
      file: options.file,
      hint: "this is a bug in kubeforge-sops; please report it with the input's shape (not its values)",
      cause,
    });
  let opened: ReturnType<typeof openWithCipher>;
  try {
    const { branches, metadata } = readEncryptedDocument(text, { format: options.format });
    const groups = metadata.keyGroups.length;
    if (groups === 0 || metadata.keyGroups.some((g) => g.age.length === 0 && Object.keys(g.others).length === 0))
      throw fail("a key group has no keys");
    if (groups > 1) {
      const problem = shamirProblem(groups, metadata.shamirThreshold ?? groups);
      if (problem) throw fail(problem);
    }
    opened = openWithCipher(
      branches,
      metadata,
      new ValueCipher(options.dataKey, { rememberIvs: false, produced: options.produced }),
      {
        file: options.file,
      },
    );
  } catch (error) {
    throw error instanceof SopsError && error.code === "E_SOPS_VERIFY" ? error : fail((error as Error).message, error);
  }
  // the same tree (cheap) or, failing that, the same output bytes (a value whose Go type the round trip
  // normalises, such as a comment position, still writes the same file)
  if (
    !sameBranches(opened.branches, plaintext) &&
    !same(emitPlainDocument(opened.branches, options.format), emitPlainDocument(plaintext, options.format))
  )
    throw fail("the decrypted values differ from the plaintext");
}
