import { randomBytes } from "node:crypto";
import { armor } from "age-encryption";
import { describe, expect, it } from "vitest";
import { alice, bob } from "../../test/keys.js";
import { wrapDataKey } from "./age.js";
import { openSmallAgeFile } from "./age-file.js";
import { nodeX25519Identity } from "./x25519.js";

describe("openSmallAgeFile (node:crypto reader for sops' data-key files)", () => {
  it("opens the file for the right identity, refuses others, and handles it without age-encryption", async () => {
    const dataKey = randomBytes(32);
    const file = armor.decode((await wrapDataKey(dataKey, alice.recipient)).trim());
    const opened = openSmallAgeFile(file, [nodeX25519Identity(alice.identity)!]);
    expect(opened).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(opened as Uint8Array).equals(dataKey)).toBe(true);
    expect(openSmallAgeFile(file, [nodeX25519Identity(bob.identity)!])).toBeUndefined();
  });

  it("refuses a header whose MAC or stanza was altered, and a payload that was altered", async () => {
    const file = armor.decode((await wrapDataKey(randomBytes(32), alice.recipient)).trim());
    const text = Buffer.from(file).toString("latin1");
    const macAt = text.indexOf("--- ") + 4;
    const badMac = Buffer.from(file);
    badMac[macAt] = badMac[macAt] === 65 ? 66 : 65;
    expect(openSmallAgeFile(badMac, [nodeX25519Identity(alice.identity)!])).toBeUndefined();
    const badPayload = Buffer.from(file);
    badPayload[badPayload.length - 1]! ^= 1;
    expect(openSmallAgeFile(badPayload, [nodeX25519Identity(alice.identity)!])).toBeUndefined();
    expect(openSmallAgeFile(Buffer.from("not age"), [])).toBe("fallback");
  });
});
