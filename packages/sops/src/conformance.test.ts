import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ageVectors, expectedOf, keyFileOf, readVector, vectors } from "../test/shared.js";
import { ValueCipher } from "./cipher.js";
import { parseDocument } from "./formats/index.js";
import { parseIdentities } from "./keys/age.js";
import { readMetadata } from "./metadata.js";
import { openDocument } from "./operations/open.js";
import { lastModifiedAad } from "./timestamp.js";
import { treeToPlain } from "./tree.js";
import { decryptBranches } from "./walk.js";

describe("every age vector in manifest.json", () => {
  it("has age vectors", () => expect(ageVectors.length).toBeGreaterThanOrEqual(12));

  it.each(ageVectors.map((v) => [v.file, v] as const))("%s decrypts with the MAC verified", async (_name, vector) => {
    const identities = parseIdentities(readFileSync(keyFileOf(vector), "utf8"));
    const opened = await openDocument(readVector(vector), { format: vector.format, identities, file: vector.file });
    expect(opened.macMatches).toBe(true);
    expect(Buffer.from(opened.cipher.dataKey).toString("hex")).toBe(vector.data_key_hex);
    expect(treeToPlain(opened.branches[0]!)).toEqual(expectedOf(vector).plaintext);
  });
});

describe("every vector, opened with its recorded data key", () => {
  it.each(vectors.map((v) => [v.file, v] as const))("%s decrypts and recomputes the recorded MAC", (_name, vector) => {
    const { branches, metadata } = parseDocument(readVector(vector), vector.format, { encrypted: true });
    const meta = readMetadata(metadata!);
    const cipher = new ValueCipher(Buffer.from(vector.data_key_hex, "hex"));
    const result = decryptBranches(branches, cipher, meta);
    const expected = expectedOf(vector);
    expect(treeToPlain(result.branches[0]!)).toEqual(expected.plaintext);
    if (vector.mac_status === "MAC OK") {
      expect(result.mac).toBe(vector.mac_plain);
      expect(cipher.decrypt(meta.mac, lastModifiedAad(meta.lastModified))).toBe(vector.mac_plain);
    } else {
      expect(meta.mac).toBe("");
    }
  });
});
