// Binary store: any file becomes `{data: <bytes>}`; the encrypted form is the JSON store's output.
import { SopsError } from "../errors.js";
import { TreeMap } from "../tree.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Wraps raw file bytes as the single-key branch sops uses (`data`, AAD `data:`). */
export function parseBinary(input: string | Uint8Array): TreeMap {
  if (typeof input === "string") return new TreeMap([{ key: "data", value: input }]);
  let value: string | Uint8Array;
  try {
    value = utf8.decode(input);
  } catch {
    value = input;
  }
  return new TreeMap([{ key: "data", value }]);
}

/** The raw bytes of a decrypted binary file. */
export function emitBinary(branch: TreeMap | undefined): Uint8Array {
  const data = branch?.get("data");
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (data instanceof Uint8Array) return data;
  throw new SopsError(
    "E_SOPS_PARSE",
    "no binary data found in tree: the binary format needs a top-level string `data`",
    {
      hint: "choose another --output-type",
    },
  );
}
