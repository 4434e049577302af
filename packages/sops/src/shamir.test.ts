import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { alice, bob } from "../test/keys.js";
import { parsePlaintext, sealNewDocument } from "./operations/encrypt.js";
import { openDocument } from "./operations/open.js";
import { parseSopsConfig } from "./rules.js";
import { combineShares, shamirProblem, splitSecret } from "./shamir.js";

const subsets = (n: number, k: number): number[][] =>
  k === 0 ? [[]] : n < k ? [] : [...subsets(n - 1, k - 1).map((s) => [...s, n - 1]), ...subsets(n - 1, k)];

/** Reference multiply in GF(2^8) with the AES polynomial 0x11B, the field Vault's (and so sops') shamir uses. */
function gfMul(a: number, b: number): number {
  let result = 0;
  for (let x = a, y = b; y; y >>= 1) {
    if (y & 1) result ^= x;
    x = x & 0x80 ? ((x << 1) ^ 0x11b) & 0xff : x << 1;
  }
  return result;
}

describe("Shamir key groups", () => {
  it("reads shares in sops' (Vault's) layout: y bytes, then the x byte, over GF(2^8)/0x11B", async () => {
    // f(x) = secret + 0x53·x + 0xCA·x², evaluated by hand at x = 7, 42, 200
    const secret = [0x00, 0x01, 0x7f, 0xff, 0x2a];
    const share = (x: number) =>
      new Uint8Array([...secret.map((s) => s ^ gfMul(0x53, x) ^ gfMul(0xca, gfMul(x, x))), x]);
    const back = await combineShares([share(7), share(42), share(200)]);
    expect([...back]).toEqual(secret);
  });

  it("recombines every subset of at least `threshold` shares and no smaller one (property, 40 random cases)", async () => {
    for (let run = 0; run < 40; run++) {
      const parts = 2 + (run % 5);
      const threshold = 2 + (run % (parts - 1));
      const secret = randomBytes(1 + (run % 33));
      const shares = await splitSecret(secret, parts, threshold);
      expect(shares.every((s) => s.length === secret.length + 1)).toBe(true);
      expect(new Set(shares.map((s) => s[secret.length])).size).toBe(parts);
      for (let k = 2; k <= parts; k++) {
        for (const subset of subsets(parts, k)) {
          const back = Buffer.from(await combineShares(subset.map((i) => shares[i]!)));
          // below the threshold the result is (with overwhelming probability for ≥ 8-byte secrets) garbage
          if (k >= threshold) expect(back.equals(secret)).toBe(true);
          else if (secret.length >= 8) expect(back.equals(secret)).toBe(false);
        }
      }
    }
  });

  it("refuses what upstream refuses: threshold < 2, parts < threshold, parts > 255", async () => {
    expect(shamirProblem(3, 5)).toMatch(/parts cannot be less than threshold/);
    expect(shamirProblem(3, 1)).toMatch(/threshold must be at least 2/);
    expect(shamirProblem(256, 2)).toMatch(/parts cannot exceed 255/);
    expect(shamirProblem(3, 3)).toBeUndefined();
    await expect(splitSecret(randomBytes(32), 3, 5)).rejects.toMatchObject({ code: "E_SOPS_CONFIG" });
  });

  it("issue 14 #1: a rule with shamir_threshold: 5 and 3 key_groups is refused when .sops.yaml is read", () => {
    const config = `creation_rules:
  - shamir_threshold: 5
    key_groups:
      - age: [${alice.recipient}]
      - age: [${bob.recipient}]
      - age: [${alice.recipient}]
`;
    expect(() => parseSopsConfig(config, "/r/.sops.yaml")).toThrow(
      /\/r\/.sops.yaml: creation_rules\[0\].shamir_threshold: parts cannot be less than threshold/,
    );
    expect(() => parseSopsConfig(config.replace("5", "1"), "/r/.sops.yaml")).toThrow(/threshold must be at least 2/);
  });

  it("issue 14 #1: sealing refuses an impossible threshold instead of writing an undecryptable file", async () => {
    const branches = parsePlaintext("a: secret\n", "yaml");
    await expect(
      sealNewDocument(branches, {
        format: "yaml",
        recipientGroups: [[alice.recipient], [bob.recipient], [alice.recipient]],
        shamirThreshold: 5,
        rules: {},
      }),
    ).rejects.toMatchObject({ code: "E_SOPS_CONFIG", message: expect.stringMatching(/parts cannot be less/) });
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

  it("a file whose metadata asks for more shares than groups fails clearly on decrypt", async () => {
    const text = await sealNewDocument(parsePlaintext("a: secret\n", "yaml"), {
      format: "yaml",
      recipientGroups: [[alice.recipient], [bob.recipient]],
      shamirThreshold: 2,
      rules: {},
    });
    await expect(
      openDocument(text.replace("shamir_threshold: 2", "shamir_threshold: 5"), {
        format: "yaml",
        identities: [alice.identity, bob.identity],
      }),
    ).rejects.toMatchObject({ code: "E_SOPS_METADATA", message: expect.stringMatching(/parts cannot be less/) });
  });
});
