// `set` / `unset`: change one value of an encrypted file in place, keeping its data key and the
// ciphertext of every other value.
import { SopsError } from "../errors.js";
import { readInputFile } from "../io.js";
import { openDocument } from "../operations/open.js";
import { sealDocument } from "../operations/seal.js";
import { jsonToTree, parseTreePath, setValue, unsetValue } from "../operations/set.js";
import type { TreeMap } from "../tree.js";
import { type FileCommandOptions, formatsOf, identitiesOf, storesFor } from "./context.js";

export interface SetFileOptions extends FileCommandOptions {
  readonly index: string;
  /** JSON text; undefined for unset. */
  readonly value?: string;
}

/** Returns the new document text. */
export async function setInFile(options: SetFileOptions): Promise<string> {
  const { input } = formatsOf(options);
  const path = parseTreePath(options.index);
  const value = options.value === undefined ? undefined : jsonToTree(options.value);
  const opened = await openDocument(await readInputFile(options.readPath ?? options.file), {
    format: input,
    identities: await identitiesOf(options),
    file: options.file,
  });
  const [first, ...others] = opened.branches;
  let branch: TreeMap;
  try {
    branch = value === undefined ? unsetValue(first!, path) : setValue(first!, path, value);
  } catch (error) {
    throw error instanceof SopsError ? error.withFile(options.file).atPath(options.index) : error;
  }
  const { metadata } = opened;
  return sealDocument([branch, ...others], {
    ...(await storesFor(options)),
    format: input,
    rules: metadata,
    keyGroups: metadata.keyGroups,
    useKeyGroups: metadata.useKeyGroups,
    shamirThreshold: metadata.shamirThreshold,
    cipher: opened.cipher,
    file: options.file,
  });
}
