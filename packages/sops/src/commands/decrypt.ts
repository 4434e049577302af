// `decrypt`: sops document → plaintext bytes (optionally one --extract'ed value).
import { readInputFile } from "../io.js";
import { decryptToBytes } from "../operations/decrypt.js";
import { type FileCommandOptions, formatsOf, identitiesOf, storesFor } from "./context.js";

export interface DecryptFileOptions extends FileCommandOptions {
  readonly extract?: string;
  readonly ignoreMac?: boolean;
}

export async function decryptFile(options: DecryptFileOptions): Promise<Uint8Array> {
  const { input, output } = formatsOf(options);
  const ciphertext = await readInputFile(options.readPath ?? options.file);
  return decryptToBytes(ciphertext, {
    ...(await storesFor(options)),
    format: input,
    outputFormat: output,
    identities: await identitiesOf(options),
    file: options.file,
    ignoreMac: options.ignoreMac,
    extract: options.extract,
  });
}
