// encrypt → decrypt through the public API over arbitrary trees: every value comes back with its type.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { alice, bob } from "../../test/keys.js";
import { decryptText, encryptText } from "../index.js";

const key = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((text) => text !== "sops");
const scalar = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.boolean(),
  fc.constant(null),
);
/** Nested maps and lists of scalars; the top level is a map, as every SOPS document is. */
const tree = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("list"), tie("map")),
  list: fc.array(tie("value"), { maxLength: 4 }),
  map: fc.dictionary(key, tie("value"), { maxKeys: 4, noNullPrototype: true }),
})).map;
const top = tree.filter((value): value is Record<string, unknown> => Object.keys(value as object).length > 0);

const RUNS = { numRuns: 25 };

describe("SOPS round trips (properties)", () => {
  it("JSON: decrypt(encrypt(tree)) is the tree, and no string value shows in the ciphertext", async () => {
    await fc.assert(
      fc.asyncProperty(top, async (data) => {
        const plaintext = JSON.stringify(data, null, 2);
        const encrypted = await encryptText(plaintext, { format: "json", recipients: [alice.recipient] });
        expect(JSON.parse(encrypted).sops.age).toHaveLength(1);
        const decrypted = await decryptText(encrypted, { format: "json", identities: [alice.identity] });
        expect(JSON.parse(decrypted)).toEqual(data);
      }),
      RUNS,
    );
  });

  it("YAML: decrypt(encrypt(tree)) parses to the tree, for any of several recipients", async () => {
    await fc.assert(
      fc.asyncProperty(top, fc.boolean(), async (data, useBob) => {
        const encrypted = await encryptText(stringify(data), {
          format: "yaml",
          recipients: [alice.recipient, bob.recipient],
        });
        const identity = useBob ? bob.identity : alice.identity;
        const decrypted = await decryptText(encrypted, { format: "yaml", identities: [identity] });
        expect(parse(decrypted)).toEqual(data);
      }),
      RUNS,
    );
  });

  it("a changed ciphertext byte never decrypts silently", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 20 }), fc.nat(), async (secret, at) => {
        const encrypted = await encryptText(JSON.stringify({ secret }), {
          format: "json",
          recipients: [alice.recipient],
        });
        const document = JSON.parse(encrypted);
        const value: string = document.secret;
        const data = /data:([^,]+),/.exec(value)?.[1] ?? "";
        const index = at % data.length;
        const flipped = data.slice(0, index) + (data[index] === "A" ? "B" : "A") + data.slice(index + 1);
        document.secret = value.replace(`data:${data},`, `data:${flipped},`);
        await expect(
          decryptText(JSON.stringify(document), { format: "json", identities: [alice.identity] }),
        ).rejects.toThrow();
      }),
      { numRuns: 15 },
    );
  });
});
