// `filestatus`: reports whether a file is sops-encrypted (as sops prints it: {"encrypted":true}).
import { readInputFile } from "../io.js";
import { isSopsEncrypted } from "../operations/filestatus.js";
import { type FileCommandOptions, formatsOf } from "./context.js";

export async function fileStatus(options: FileCommandOptions): Promise<{ encrypted: boolean }> {
  const { input } = formatsOf(options);
  const text = (await readInputFile(options.readPath ?? options.file)).toString("utf8");
  return { encrypted: isSopsEncrypted(text, input) };
}
