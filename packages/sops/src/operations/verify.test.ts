// verifySealed is the last check before an encrypted file is written. These tests damage a freshly sealed
// document the ways a serialisation or path bug would, and state that the check refuses each of them,
// including past the first 64 values, where recorded ciphertexts skip the AES call.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { alice } from "../../test/keys.js";
import { ProducedValues, ValueCipher } from "../cipher.js";
import { SopsError } from "../errors.js";
import { emitEncryptedDocument, parseDocument } from "../formats/index.js";
import { wrapDataKey } from "../keys/age.js";
import { SOPS_VERSION, writeMetadata } from "../metadata.js";
import { formatLastModified } from "../timestamp.js";
import type { TreeMap } from "../tree.js";
import { encryptBranches } from "../walk.js";
import { decryptText } from "./decrypt.js";
import { encryptText } from "./encrypt.js";
import { verifySealed } from "./verify.js";

const rules = { unencryptedSuffix: "_unencrypted" };
const lastModified = formatLastModified(new Date("2026-01-02T03:04:05Z"));

function plaintextOf(keys: number, value = (i: number) => `value-${i}`): string {
  let text = "stringData:\n";
  for (let i = 0; i < keys; i++) text += `    key${i}: ${value(i)}\n`;
  return `${text}note_unencrypted: visible\n`;
}

const parsePlain = (text: string): TreeMap[] => parseDocument(text, "yaml", { encrypted: false }).branches;

/** Seals like sealDocument, but hands back what the cipher recorded so each test can damage the text. */
async function seal(keys: number, value?: (i: number) => string) {
  const dataKey = randomBytes(32);
  const cipher = new ValueCipher(dataKey);
  const plain = parsePlain(plaintextOf(keys, value));
  const produced = new ProducedValues();
  const stop = cipher.record(produced);
  const { branches, mac } = encryptBranches(plain, cipher, rules);
  stop();
  const metadata = writeMetadata({
    ...rules,
    keyGroups: [
      { age: [{ recipient: alice.recipient, enc: await wrapDataKey(dataKey, alice.recipient) }], others: {} },
    ],
    useKeyGroups: false,
    lastModified,
    mac: cipher.encrypt(mac, lastModified),
    version: SOPS_VERSION,
  });
  const text = emitEncryptedDocument(branches, metadata, "yaml", {});
  return { dataKey, plain, produced, text };
}

function valueLine(text: string, key: string): string {
  const line = text.split("\n").find((l) => l.startsWith(`    ${key}: `));
  if (!line) throw new Error(`no ${key} in the sealed text`);
  return line.slice(`    ${key}: `.length);
}

function refusal(run: () => void): SopsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SopsError);
    return error as SopsError;
  }
  throw new Error("verifySealed accepted a damaged document");
}

describe("verifySealed", () => {
  it("accepts the document it was given and records one ciphertext per encrypted value", async () => {
    const { dataKey, plain, produced, text } = await seal(100);
    expect(produced.size).toBe(100);
    expect(() => verifySealed(text, plain, { format: "yaml", dataKey, produced })).not.toThrow();
  });

  it.each([
    ["among the first values (decrypted with AES)", 3, 4],
    ["past the first 64 values (recorded)", 90, 91],
  ])("refuses two values swapped %s: each ciphertext is bound to its path", async (_, a, b) => {
    const { dataKey, plain, produced, text } = await seal(100);
    const [first, second] = [valueLine(text, `key${a}`), valueLine(text, `key${b}`)];
    const swapped = text.replace(first, "@A@").replace(second, first).replace("@A@", second);
    const error = refusal(() => verifySealed(swapped, plain, { format: "yaml", dataKey, produced }));
    expect(error.code).toBe("E_SOPS_VERIFY");
    expect(error.message).toContain("nothing was written");
  });

  it("refuses two equal values swapped past the first 64: same plaintext and MAC, but the AAD differs", async () => {
    const { dataKey, plain, produced, text } = await seal(100, (i) => (i === 90 || i === 91 ? "same" : `value-${i}`));
    const [first, second] = [valueLine(text, "key90"), valueLine(text, "key91")];
    const swapped = text.replace(first, "@A@").replace(second, first).replace("@A@", second);
    // the swapped file would not decrypt: its two values fail authentication at their new paths
    await expect(decryptText(swapped, { format: "yaml", identities: [alice.identity] })).rejects.toThrow(
      /failed authentication/,
    );
    const error = refusal(() => verifySealed(swapped, plain, { format: "yaml", dataKey, produced }));
    expect(error.message).toContain("stringData.key90");
  });

  it("refuses a key renamed past the first 64 even when the plaintext agrees: the AAD no longer opens it", async () => {
    const { dataKey, produced, text } = await seal(100);
    const renamed = text.replace("    key90: ", "    renamed90: ");
    const plain = parsePlain(plaintextOf(100).replace("    key90: ", "    renamed90: "));
    const error = refusal(() => verifySealed(renamed, plain, { format: "yaml", dataKey, produced }));
    expect(error.message).toContain("stringData.renamed90");
  });

  it("refuses a value the plaintext does not have (a serialiser that changed a value)", async () => {
    const { dataKey, produced, text } = await seal(100);
    const other = parsePlain(plaintextOf(100).replace("value-80\n", "value-eighty\n"));
    const error = refusal(() => verifySealed(text, other, { format: "yaml", dataKey, produced }));
    expect(error.message).toContain("the decrypted values differ from the plaintext");
  });

  it("refuses a data key that does not open the values, even when every value was recorded", async () => {
    const { plain, produced, text } = await seal(100);
    const error = refusal(() => verifySealed(text, plain, { format: "yaml", dataKey: randomBytes(32), produced }));
    expect(error.code).toBe("E_SOPS_VERIFY");
  });

  it("does not trust the record for the first 64 values: a wrong recorded plaintext is not used", async () => {
    const { dataKey, plain, produced, text } = await seal(100);
    expect(produced.aads[0]).toBe("stringData:key0:");
    produced.bytes[0] = Buffer.from("not what was encrypted");
    expect(() => verifySealed(text, plain, { format: "yaml", dataKey, produced })).not.toThrow();
  });

  it("refuses a ciphertext changed by the writer past the first 64 values (the record is not used for it)", async () => {
    const { dataKey, plain, produced, text } = await seal(100);
    const value = valueLine(text, "key90");
    const data = /data:([A-Za-z0-9+/]+)/.exec(value)![1]!;
    const flipped = value.replace(`data:${data}`, `data:${data[0] === "A" ? "B" : "A"}${data.slice(1)}`);
    const error = refusal(() =>
      verifySealed(text.replace(value, flipped), plain, { format: "yaml", dataKey, produced }),
    );
    expect(error.message).toContain("stringData.key90");
  });

  it("past the first 64, a recorded value is taken from the record (no second AES call), in order", async () => {
    // proven by poisoning the record: a trusted entry with other bytes changes the recomputed MAC
    for (const poisoned of [64, 65, 99]) {
      const { dataKey, plain, produced, text } = await seal(100);
      produced.bytes[poisoned] = Buffer.from("not what was encrypted");
      const error = refusal(() => verifySealed(text, plain, { format: "yaml", dataKey, produced }));
      expect(error.message).toContain("MAC mismatch");
    }
  });

  it("trusted values past the first 64 keep their own type tags (int, float, bool, time after 70 strings)", async () => {
    let text = "";
    for (let i = 0; i < 70; i++) text += `s${i}: v${i}\n`;
    text += "count: 42\nratio: 2.5\nenabled: true\nat: 2024-05-06T07:08:09Z\n";
    const encrypted = await encryptText(text, { format: "yaml", recipients: [alice.recipient] });
    expect(await decryptText(encrypted, { format: "yaml", identities: [alice.identity] })).toBe(text);
  });

  it("refuses a damaged MAC (always decrypted, never taken from the record)", async () => {
    const { dataKey, plain, produced, text } = await seal(10);
    const mac = /mac: (ENC\[AES256_GCM,data:)([A-Za-z0-9+/])/.exec(text)!;
    const flipped = mac[2] === "A" ? "B" : "A";
    const damaged = text.replace(mac[0], `mac: ${mac[1]}${flipped}`);
    const error = refusal(() => verifySealed(damaged, plain, { format: "yaml", dataKey, produced }));
    expect(error.code).toBe("E_SOPS_VERIFY");
    expect(error.message).toMatch(/MAC/);
  });

  it("refuses a value left in clear where the rules say encrypted", async () => {
    const { dataKey, plain, produced, text } = await seal(100);
    const cleared = text.replace(valueLine(text, "key70"), "value-70");
    const error = refusal(() => verifySealed(cleared, plain, { format: "yaml", dataKey, produced }));
    expect(error.message).toContain("stringData.key70: value is not in sops' ENC[AES256_GCM,…] format");
  });

  it("still round-trips a 2,000-value document through encryptText and decryptText", async () => {
    const text = plaintextOf(2000);
    const encrypted = await encryptText(text, { format: "yaml", recipients: [alice.recipient] });
    expect(await decryptText(encrypted, { format: "yaml", identities: [alice.identity] })).toBe(text);
  });
});
