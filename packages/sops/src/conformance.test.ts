import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ageVectors, expectedOf, keyFileOf, readVector, vectors } from "../test/shared.js";
import { ValueCipher } from "./cipher.js";
import { emitEncryptedDocument, parseDocument } from "./formats/index.js";
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

describe("tampered vectors are refused", () => {
  const vector = ageVectors.find((v) => v.file === "flux-kustomize-controller/global-secret.yaml")!;
  const identities = parseIdentities(readFileSync(keyFileOf(vector), "utf8"));
  const text = readVector(vector);

  it("an unencrypted value covered by the MAC", async () => {
    const tampered = text.replace("namespace: default", "namespace: defaulT");
    expect(tampered).not.toBe(text);
    await expect(openDocument(tampered, { format: "yaml", identities })).rejects.toMatchObject({
      code: "E_SOPS_MAC_MISMATCH",
    });
    const lenient = await openDocument(tampered, { format: "yaml", identities, ignoreMac: true });
    expect(lenient.macMatches).toBe(false);
  });

  it("one byte of an encrypted value", async () => {
    const match = /key: ENC\[AES256_GCM,data:(.)/.exec(text)!;
    const tampered = text.replace(match[0], match[0].slice(0, -1) + (match[1] === "A" ? "B" : "A"));
    await expect(openDocument(tampered, { format: "yaml", identities })).rejects.toMatchObject({
      code: "E_SOPS_DECRYPT",
      path: "stringData.key",
    });
  });

  it("lastmodified (the MAC's AAD) and a missing MAC", async () => {
    const moved = text.replace(/lastmodified: "?(\d{4})/, (m, y) => m.replace(y, String(Number(y) + 1)));
    await expect(openDocument(moved, { format: "yaml", identities })).rejects.toMatchObject({
      code: "E_SOPS_MAC_MISMATCH",
    });
    const noMac = text.replace(/\n\s+mac: ENC\[[^\]]+\]/, "");
    await expect(openDocument(noMac, { format: "yaml", identities })).rejects.toThrow(/File has no MAC/);
  });

  it("a renamed key (its AAD)", async () => {
    const renamed = text.replace("  key: ENC", "  kee: ENC");
    expect(renamed).not.toBe(text);
    await expect(openDocument(renamed, { format: "yaml", identities })).rejects.toMatchObject({
      code: "E_SOPS_DECRYPT",
    });
  });

  it("PGP-only files name the limitation", async () => {
    const pgp = vectors.find((v) => v.file === "flux-kustomize-controller/algorithms-pgp.yaml")!;
    await expect(openDocument(readVector(pgp), { format: "yaml", identities })).rejects.toThrow(
      /PGP is not supported; re-encrypt to age/,
    );
  });
});

describe("our writer reproduces files written by Go sops byte for byte", () => {
  // sops ≥3.7 YAML (older ones used yaml.v2 quoting), dotenv, and 3.13 INI/JSON (older JSON lacked the final newline)
  const same = vectors.filter(
    (v) =>
      (v.format === "yaml" && !/^3\.[3-6]\./.test(v.sops_version)) ||
      v.format === "dotenv" ||
      (v.format !== "binary" && v.sops_version.startsWith("3.13") && !v.file.includes("format-2")),
  );

  it("covers YAML, dotenv, INI and JSON", () => {
    expect(new Set(same.map((v) => v.format))).toEqual(new Set(["yaml", "dotenv", "ini", "json"]));
  });

  it.each(same.map((v) => [v.file, v] as const))("%s", (_name, vector) => {
    const text = readVector(vector);
    const { branches, metadata } = parseDocument(text, vector.format, { encrypted: true });
    const yamlIndent = /^ {2}[a-z]/m.test(text) && !/^ {4}[a-z]/m.test(text) ? 2 : 4;
    expect(emitEncryptedDocument(branches, metadata!, vector.format, { yamlIndent })).toBe(text);
  });
});
