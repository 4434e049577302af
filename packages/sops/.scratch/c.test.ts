import { it } from "vitest";
import { vectors, readVector } from "../test/shared.js";
import { ValueCipher } from "../src/cipher.js";
import { parseDocument, emitPlainDocument } from "../src/formats/index.js";
import { readMetadata } from "../src/metadata.js";
import { decryptBranches } from "../src/walk.js";
it("x", () => {
  for (const v of vectors) {
    if (!/comments|example.yaml|example.ini/.test(v.file)) continue;
    const { branches, metadata } = parseDocument(readVector(v), v.format, { encrypted: true });
    const r = decryptBranches(branches, new ValueCipher(Buffer.from(v.data_key_hex, "hex")), readMetadata(metadata!));
    console.log("=====", v.file); console.log(Buffer.from(emitPlainDocument(r.branches, v.format)).toString());
  }
});
