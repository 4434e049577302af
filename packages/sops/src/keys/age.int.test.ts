// Interop with the real `age` CLI (Debian package `age`): it must open our data-key stanzas, and we
// must open the ones it writes. Fails (never skips) when `age` is missing.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alice, bob } from "../../test/keys.js";
import { ageVectors, keyFileOf, readVector } from "../../test/shared.js";
import { runTool } from "../../test/tool.js";
import { parseDocument } from "../formats/index.js";
import { readMetadata } from "../metadata.js";
import { decryptText } from "../operations/decrypt.js";
import { encryptText } from "../operations/encrypt.js";
import { openDocument } from "../operations/open.js";
import { unwrapDataKey, wrapDataKey } from "./age.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-age-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let dir: string;
let aliceKeyFile: string;

function ageDecrypt(armored: string, keyFile: string): Buffer {
  return runTool("age", ["--decrypt", "-i", keyFile], armored);
}

function ageEncrypt(data: Uint8Array, recipient: string): string {
  return runTool("age", ["--encrypt", "--armor", "-r", recipient], data).toString("utf8");
}

beforeAll(() => {
  const version = runTool("age", ["--version"]).toString().trim();
  expect(version).toMatch(/\d+\.\d+/);
  dir = mkdtempSync(path.join(scratch, "kubeforge-sops-age-"));
  aliceKeyFile = path.join(dir, "alice.txt");
  writeFileSync(aliceKeyFile, `${alice.identity}\n`);
});

describe("the age CLI and kubeforge-sops open each other's data-key stanzas", () => {
  it("age -d unwraps the data key we wrapped", async () => {
    const dataKey = randomBytes(32);
    const armored = await wrapDataKey(dataKey, alice.recipient);
    expect(armored.endsWith("-----END AGE ENCRYPTED FILE-----\n")).toBe(true);
    expect(ageDecrypt(armored, aliceKeyFile).equals(dataKey)).toBe(true);
  });

  it("age -d unwraps the data key of a file we encrypted", async () => {
    const text = await encryptText("a: secret\n", { format: "yaml", recipients: [alice.recipient, bob.recipient] });
    const opened = await openDocument(text, { format: "yaml", identities: [alice.identity] });
    const entry = opened.metadata.keyGroups[0]!.age.find((e) => e.recipient === alice.recipient)!;
    expect(ageDecrypt(entry.enc, aliceKeyFile).equals(Buffer.from(opened.cipher.dataKey))).toBe(true);
  });

  it("we unwrap a stanza written by age -e", async () => {
    const dataKey = randomBytes(32);
    const armored = ageEncrypt(dataKey, alice.recipient);
    const unwrapped = await unwrapDataKey(armored, [alice.identity]);
    expect(Buffer.from(unwrapped!).equals(dataKey)).toBe(true);
    expect(await unwrapDataKey(armored, [bob.identity])).toBeUndefined();
  });

  it("we decrypt a document whose enc the age CLI wrote", async () => {
    const text = await encryptText("a: secret\n", { format: "yaml", recipients: [bob.recipient] });
    const opened = await openDocument(text, { format: "yaml", identities: [bob.identity] });
    const fromCli = ageEncrypt(opened.cipher.dataKey, alice.recipient);
    const oldEnc = opened.metadata.keyGroups[0]!.age[0]!.enc;
    const indented = (armor: string) => armor.trimEnd().split("\n").join("\n            ");
    const swapped = text.replace(indented(oldEnc), indented(fromCli)).replace(bob.recipient, alice.recipient);
    expect(swapped).not.toBe(text);
    expect(await decryptText(swapped, { format: "yaml", identities: [alice.identity] })).toBe("a: secret\n");
  });

  it.each(ageVectors.filter((v) => !v.key_file.includes("PQ")).map((v) => [v.file, v] as const))(
    "age -d opens the enc of %s to its recorded data key",
    (_name, vector) => {
      const { metadata } = parseDocument(readVector(vector), vector.format, { encrypted: true });
      const entries = readMetadata(metadata!).keyGroups[0]!.age;
      const opened = entries
        .map((entry) => {
          try {
            return ageDecrypt(entry.enc, keyFileOf(vector)).toString("hex");
          } catch {
            return undefined;
          }
        })
        .find(Boolean);
      expect(opened).toBe(vector.data_key_hex);
    },
  );
});
