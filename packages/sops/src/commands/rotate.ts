// `rotate`: a fresh data key for the file's current recipients.
import { readInputFile } from "../io.js";
import { rotateText } from "../operations/rotate.js";
import { type FileCommandOptions, formatsOf, identitiesOf, storesFor } from "./context.js";

export async function rotateFile(options: FileCommandOptions & { ignoreMac?: boolean }): Promise<string> {
  const { input } = formatsOf(options);
  return rotateText(await readInputFile(options.readPath ?? options.file), {
    ...(await storesFor(options)),
    format: input,
    identities: await identitiesOf(options),
    file: options.file,
    ignoreMac: options.ignoreMac,
  });
}
