// The tree walk decides which values leave in clear text: checked against every file Go sops wrote, and
// for each selection rule on a Kubernetes Secret (what must be encrypted, what must stay readable).
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readVector, vectors } from "../test/shared.js";
import { ValueCipher } from "./cipher.js";
import { parseDocument } from "./formats/index.js";
import { readMetadata } from "./metadata.js";
import type { EncryptionRules } from "./rules-match.js";
import { Comment, type Leaf, plainToTree, TreeMap, TreeSeq, type TreeValue } from "./tree.js";
import { decryptBranches, encryptBranches } from "./walk.js";

/** Every leaf and comment in document order, as [colon path, value]. */
function flatten(value: TreeValue | Comment, path: string[] = [], out: [string, unknown][] = []): [string, unknown][] {
  if (value instanceof Comment) out.push([`${path.join(":")}#`, value.text]);
  else if (value instanceof TreeMap) {
    for (const item of value.items) {
      if (item instanceof Comment) flatten(item, path, out);
      else flatten(item.value, [...path, item.key], out);
    }
  } else if (value instanceof TreeSeq) for (const item of value.items) flatten(item, path, out);
  else out.push([path.join(":"), value]);
  return out;
}

const isEnc = (value: unknown) => typeof value === "string" && value.startsWith("ENC[AES256_GCM,");

describe("the walk reproduces what Go sops wrote", () => {
  it.each(vectors.filter((v) => v.mac_status === "MAC OK").map((v) => [v.file, v] as const))(
    "%s: re-encrypting its plaintext with its data key and IVs gives its ciphertext and MAC back",
    (_name, vector) => {
      const { branches, metadata } = parseDocument(readVector(vector), vector.format, { encrypted: true });
      const rules = readMetadata(metadata!);
      const cipher = new ValueCipher(Buffer.from(vector.data_key_hex, "hex"));
      const opened = decryptBranches(branches, cipher, rules);
      expect(opened.mac).toBe(vector.mac_plain);
      const sealed = encryptBranches(opened.branches, cipher, rules);
      expect(sealed.mac).toBe(vector.mac_plain);
      const want = branches.flatMap((b) => flatten(b));
      const got = sealed.branches.flatMap((b) => flatten(b));
      // the values: byte for byte (same data key, same AAD, same IV), in clear exactly where Go left them
      expect(got.filter(([path]) => !path.endsWith("#"))).toEqual(want.filter(([path]) => !path.endsWith("#")));
      // comments too (this sops test file was made with comments left in clear; sops would encrypt them)
      if (!vector.file.includes("unencrypted_comments")) expect(got).toEqual(want);
    },
  );
});

const SECRET = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "db", labels: { app_unencrypted: "x" } },
  type: "Opaque",
  data: { password: "cDQ1NQ==", list: ["a", "b"] },
  stringData: { token: "t0k", nested: { deep: "d" }, empty: null },
} as const;

function sealSecret(rules: EncryptionRules) {
  const cipher = new ValueCipher(randomBytes(32));
  const tree = plainToTree(SECRET as never) as TreeMap;
  const sealed = encryptBranches([tree], cipher, rules);
  const leaves = Object.fromEntries(
    flatten(sealed.branches[0]!).map(([path, value]) => [path, isEnc(value) ? "ENC" : value]),
  );
  return { cipher, tree, sealed, leaves };
}

describe("which values are encrypted", () => {
  it("encrypted_regex ^(data|stringData)$: only values below data and stringData, list items too", () => {
    const { leaves } = sealSecret({ encryptedRegex: "^(data|stringData)$" });
    expect(leaves).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      "metadata:name": "db",
      "metadata:labels:app_unencrypted": "x",
      type: "Opaque",
      "data:password": "ENC",
      "data:list": "ENC",
      "stringData:token": "ENC",
      "stringData:nested:deep": "ENC",
      "stringData:empty": null,
    });
  });

  it("no rule encrypts everything; unencrypted_suffix keeps a key and everything below it in clear", () => {
    expect(Object.values(sealSecret({}).leaves).filter((v) => v !== "ENC")).toEqual([null]);
    const { leaves } = sealSecret({ unencryptedSuffix: "_unencrypted" });
    expect(leaves["metadata:labels:app_unencrypted"]).toBe("x");
    expect(leaves["metadata:name"]).toBe("ENC");
    expect(leaves["data:password"]).toBe("ENC");
  });

  it("encrypted_suffix, unencrypted_regex", () => {
    const suffix = sealSecret({ encryptedSuffix: "Data" }).leaves;
    expect(suffix["stringData:token"]).toBe("ENC");
    expect(suffix["data:password"]).toBe("cDQ1NQ==");
    expect(suffix.kind).toBe("Secret");
    const unregex = sealSecret({ unencryptedRegex: "^(metadata|kind)$" }).leaves;
    expect(unregex["metadata:name"]).toBe("db");
    expect(unregex.kind).toBe("Secret");
    expect(unregex.type).toBe("ENC");
    expect(unregex["data:password"]).toBe("ENC");
  });

  it("binds each value to its path (AAD `a:b:`), list items to their key's path", () => {
    const { cipher, sealed } = sealSecret({ encryptedRegex: "^data$" });
    const data = sealed.branches[0]!.get("data") as TreeMap;
    const password = data.get("password") as string;
    expect(cipher.decrypt(password, "data:password:")).toBe("cDQ1NQ==");
    expect(() => cipher.decrypt(password, "data:")).toThrow(/failed authentication/);
    const list = data.get("list") as TreeSeq;
    expect(cipher.decrypt(list.items[1] as string, "data:list:")).toBe("b");
  });

  it("encrypts comments where it would encrypt a value at the comment's place, keeping them inline", () => {
    const cipher = new ValueCipher(randomBytes(32));
    const tree = new TreeMap([
      new Comment(" top"),
      { key: "data", value: new TreeMap([new Comment(" in data", true), { key: "k", value: "v" }]) },
      { key: "list", value: new TreeSeq([new Comment(" in list"), "x"]) },
    ]);
    const sealed = encryptBranches([tree], cipher, { encryptedRegex: "^data$" }).branches[0]!;
    expect(sealed.items[0]).toEqual(new Comment(" top"));
    const inData = (sealed.get("data") as TreeMap).items[0] as Comment;
    expect(inData.inline).toBe(true);
    expect((cipher.decrypt(inData.text, "data:") as Comment).text).toBe(" in data");
    expect(((sealed.get("list") as TreeSeq).items[0] as Comment).text).toBe(" in list");
    // and back: decrypted comments keep their place and inline flag
    const opened = decryptBranches([sealed], cipher, { encryptedRegex: "^data$" }).branches[0]!;
    expect(flatten(opened)).toEqual(flatten(tree));
    expect(((opened.get("data") as TreeMap).items[0] as Comment).inline).toBe(true);
  });
});

describe("the MAC", () => {
  const sha512 = (...parts: string[]) => {
    const hash = createHash("sha512");
    for (const part of parts) hash.update(part);
    return hash.digest("hex").toUpperCase();
  };

  it("covers every non-null value in document order, encrypted or not", () => {
    const { sealed } = sealSecret({ encryptedRegex: "^(data|stringData)$" });
    expect(sealed.mac).toBe(sha512("v1", "Secret", "db", "x", "Opaque", "cDQ1NQ==", "a", "b", "t0k", "d"));
  });

  it("with mac_only_encrypted covers only the encrypted values, after SHA-256('sops')", () => {
    const { sealed, cipher } = sealSecret({ encryptedRegex: "^(data|stringData)$", macOnlyEncrypted: true });
    const prefix = createHash("sha256").update("sops").digest();
    const expected = createHash("sha512").update(prefix).update("cDQ1NQ==abt0kd").digest("hex").toUpperCase();
    expect(sealed.mac).toBe(expected);
    const opened = decryptBranches(sealed.branches, cipher, {
      encryptedRegex: "^(data|stringData)$",
      macOnlyEncrypted: true,
    });
    expect(opened.mac).toBe(expected);
  });

  it("hashes a decrypted int, float or bool as Go formats it, not as its ciphertext spelled it", () => {
    const cipher = new ValueCipher(randomBytes(32));
    // another tool may write "1.50", "+7" or "true"; Go sops parses the typed value and hashes its own text
    const tree = new TreeMap([
      { key: "f", value: cipher.encryptBytes(Buffer.from("1.50"), "float", "f:") },
      { key: "i", value: cipher.encryptBytes(Buffer.from("+7"), "int", "i:") },
      { key: "b", value: cipher.encryptBytes(Buffer.from("true"), "bool", "b:") },
    ]);
    expect(decryptBranches([tree], cipher, {}).mac).toBe(sha512("1.5", "7", "True"));
  });

  it("is the same computed on encryption and on decryption, and changes with any value", () => {
    const rules = { unencryptedSuffix: "_unencrypted" };
    const { sealed, cipher } = sealSecret(rules);
    const opened = decryptBranches(sealed.branches, cipher, rules);
    expect(opened.mac).toBe(sealed.mac);
    const labels = (opened.branches[0]!.get("metadata") as TreeMap).get("labels") as TreeMap;
    (labels.items[0] as { value: Leaf }).value = "y";
    expect(encryptBranches(opened.branches, cipher, rules).mac).not.toBe(sealed.mac);
  });
});

describe("decryption refuses what was edited by hand, naming the path", () => {
  const rules = { encryptedRegex: "^data$" };
  const seal = () => {
    const cipher = new ValueCipher(randomBytes(32));
    const tree = plainToTree({ data: { a: { b: "secret" } }, plain: 1 } as never) as TreeMap;
    return { cipher, tree: encryptBranches([tree], cipher, rules).branches[0]! };
  };
  const withLeaf = (value: Leaf) =>
    new TreeMap([{ key: "data", value: new TreeMap([{ key: "a", value: new TreeMap([{ key: "b", value }]) }]) }]);

  it("a plain value where the rules say it is encrypted", () => {
    const { cipher } = seal();
    for (const value of ["secret", 5n, true] as Leaf[]) {
      expect(() => decryptBranches([withLeaf(value)], cipher, rules)).toThrow(
        expect.objectContaining({ code: "E_SOPS_DECRYPT", path: "data.a.b" }),
      );
    }
    expect(() => decryptBranches([withLeaf(5n)], cipher, rules)).toThrow(
      /data\.a\.b: expected an encrypted ENC\[…\] value, found a plain value — the file was edited by hand/,
    );
  });

  it("a value moved to another key", () => {
    const { cipher, tree } = seal();
    const value = ((tree.get("data") as TreeMap).get("a") as TreeMap).get("b") as string;
    const moved = new TreeMap([
      { key: "data", value: new TreeMap([{ key: "a", value: new TreeMap([{ key: "c", value }]) }]) },
    ]);
    expect(() => decryptBranches([moved], cipher, rules)).toThrow(
      expect.objectContaining({
        code: "E_SOPS_DECRYPT",
        path: "data.a.c",
        message: expect.stringMatching(/^data\.a\.c: value failed authentication/),
      }),
    );
  });

  it("leaves null values alone and out of the MAC", () => {
    const { cipher } = seal();
    const result = decryptBranches([withLeaf(null)], cipher, rules);
    expect(flatten(result.branches[0]!)).toEqual([["data:a:b", null]]);
    expect(result.mac).toBe(createHash("sha512").digest("hex").toUpperCase());
  });
});

describe("encrypted comments another YAML library attached one level off", () => {
  it("decrypt with the container's or a parent's path; others stay verbatim", () => {
    const cipher = new ValueCipher(randomBytes(32));
    const atParent = cipher.encrypt(new Comment(" parent"), "a:");
    const atRoot = cipher.encrypt(new Comment(" root"), ":");
    const elsewhere = cipher.encrypt(new Comment(" elsewhere"), "z:");
    const str = cipher.encrypt("as str", "a:b:");
    const int = cipher.encrypt(42n, "a:b:");
    const tree = new TreeMap([
      {
        key: "a",
        value: new TreeMap([
          {
            key: "b",
            value: new TreeMap([
              new Comment(atParent),
              new Comment(atRoot, true),
              new Comment(elsewhere),
              new Comment(str),
              new Comment(int),
              new Comment(" clear"),
              { key: "c", value: "v" },
            ]),
          },
        ]),
      },
    ]);
    const opened = decryptBranches([tree], cipher, { unencryptedRegex: "^c$" }).branches[0]!;
    const items = ((opened.get("a") as TreeMap).get("b") as TreeMap).items;
    expect(items.slice(0, 6)).toEqual([
      new Comment(" parent"),
      new Comment(" root", true),
      new Comment(elsewhere),
      new Comment("as str"),
      new Comment("42"),
      new Comment(" clear"),
    ]);
  });
});
