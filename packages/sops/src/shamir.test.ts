import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { alice, bob } from "../test/keys.js";
import { parsePlaintext, sealNewDocument } from "./operations/encrypt.js";
import { openDocument } from "./operations/open.js";
import { combineShares, splitSecret } from "./shamir.js";

describe("Shamir key groups", () => {
  it("recombines any threshold of shares", () => {
    const secret = randomBytes(32);
    const shares = splitSecret(secret, 3, 2);
    expect(shares.map((s) => s.length)).toEqual([33, 33, 33]);
    for (const pair of [
      [0, 1],
      [1, 2],
      [0, 2],
    ]) {
      expect(Buffer.from(combineShares(pair.map((i) => shares[i]!))).equals(secret)).toBe(true);
    }
    expect(Buffer.from(combineShares([shares[0]!])).equals(secret)).toBe(false);
  });

  it("encrypts to two key groups and needs both when the threshold is 2", async () => {
    const branches = parsePlaintext("a: secret\n", "yaml");
    const text = await sealNewDocument(branches, {
      format: "yaml",
      recipientGroups: [[alice.recipient], [bob.recipient]],
      shamirThreshold: 2,
      rules: {},
    });
    expect(text).toContain("key_groups:");
    expect(text).toContain("shamir_threshold: 2");
    const opened = await openDocument(text, { format: "yaml", identities: [alice.identity, bob.identity] });
    expect(opened.macMatches).toBe(true);
    await expect(openDocument(text, { format: "yaml", identities: [alice.identity] })).rejects.toMatchObject({
      code: "E_SOPS_NO_KEY",
    });
  });
});
