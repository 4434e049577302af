// AES-256-GCM values as Go sops writes them: the path is the AAD, every field is authenticated, and the
// `type:` tag gives the value back with its Go type. Checked against values Go sops wrote.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isEncryptedValue, ValueCipher, valueToBytes } from "./cipher.js";
import { Comment, SopsTime } from "./tree.js";

// sops-examples/example.yaml (Go sops 3.10.2) and its recorded data key (../shared/conformance/sops)
const EXAMPLE_KEY = Buffer.from("8c68886c50b5b72965a3cb99c5172e1d74a8aca27b39ee880b535d6907e59f68", "hex");
const GO = {
  myapp1:
    "ENC[AES256_GCM,data:zlGNmhTYX5xol4ZZFsiaoGkD73nn,iv:ql9mkhoU1I64E/FJi3iA0HaAe2U3kQVFee2ZLwPnBik=,tag:SqVSfu/JkRrwqidAT/i0pg==,type:str]",
  number:
    "ENC[AES256_GCM,data:DX0qiTOWhQvG/w==,iv:ouWsby8JoFwCRj/mLVCnNcYhP2sdyf4h6nwZuGksE7Q=,tag:lPU6AId2JrlquHnYRw+E8Q==,type:float]",
  bool: "ENC[AES256_GCM,data:ExiXxg==,iv:K7FUwomqdA7o9lzvNoAMH/wbXs08FextTGGeJKnaatU=,tag:A9UntgvPIcappmeM3jsbdA==,type:bool]",
  comment:
    "ENC[AES256_GCM,data:uPuUQAahmq1xL5L2B0+a2gHSl7zXucjqa4Kr0AgNKTpgHw3IPx2lCoK+,iv:qYxjRmWMir47YKhmrrHwV0atmGjcJ3Dts+xvQ+6skHQ=,tag:dsj+0DsfiDyJNGUmvZwnHg==,type:comment]",
};

const key = () => randomBytes(32);
/** The data, iv, tag and type fields of an ENC[] string. */
const fields = (text: string) => {
  const m = /^ENC\[AES256_GCM,data:([^,]*),iv:([^,]*),tag:([^,]*),type:([^\]]*)\]$/.exec(text);
  expect(m, text).not.toBeNull();
  return { data: m![1]!, iv: m![2]!, tag: m![3]!, type: m![4]! };
};
const flip = (b64: string) => {
  const bytes = Buffer.from(b64, "base64");
  bytes[0]! ^= 1;
  return bytes.toString("base64");
};

describe("ValueCipher against values Go sops wrote", () => {
  const cipher = new ValueCipher(EXAMPLE_KEY);

  it("opens a str, a float, a bool and a comment with the path as AAD", () => {
    expect(cipher.decrypt(GO.myapp1, "myapp1:")).toBe("t00m4nys3cr3tzupdated");
    expect(cipher.decrypt(GO.number, "number:")).toBe(1234568000);
    expect(cipher.decrypt(GO.bool, "somebooleans:")).toBe(true);
    const comment = cipher.decrypt(GO.comment, "app2:db:");
    expect(comment).toBeInstanceOf(Comment);
    expect((comment as Comment).text).toBe(" private key for secret operations in app2");
  });

  it("refuses the value at another path, under another key, or with any field changed", () => {
    const refused = (text: string, aad: string, k: Uint8Array = EXAMPLE_KEY) =>
      expect(() => new ValueCipher(k).decrypt(text, aad)).toThrow(
        expect.objectContaining({ code: "E_SOPS_DECRYPT", message: expect.stringMatching(/failed authentication/) }),
      );
    refused(GO.myapp1, "myapp2:"); // a renamed key
    // the crypto error is kept as the cause (for --verbose debugging), not shown as the message
    expect(() => cipher.decrypt(GO.myapp1, "myapp2:")).toThrow(expect.objectContaining({ cause: expect.any(Error) }));
    refused(GO.myapp1, "myapp1"); // the AAD's trailing separator matters
    refused(GO.myapp1, "myapp1:", key());
    const f = fields(GO.myapp1);
    refused(GO.myapp1.replace(f.data, flip(f.data)), "myapp1:");
    refused(GO.myapp1.replace(f.iv, flip(f.iv)), "myapp1:");
    refused(GO.myapp1.replace(f.tag, flip(f.tag)), "myapp1:");
    // a truncated tag is refused, not accepted as a shorter (weaker) GCM tag
    refused(GO.myapp1.replace(f.tag, Buffer.from(f.tag, "base64").subarray(0, 12).toString("base64")), "myapp1:");
  });

  it("refuses text that is not ENC[AES256_GCM,…] with a hint", () => {
    for (const text of [
      "plain",
      "ENC[AES256_GCM,data:,iv:,tag:,type:str]",
      GO.myapp1.replace("AES256_GCM", "AES128"),
    ]) {
      expect(() => cipher.decrypt(text, "myapp1:")).toThrow(
        expect.objectContaining({
          code: "E_SOPS_DECRYPT",
          message: expect.stringMatching(/not in sops' ENC\[AES256_GCM,…\] format — the file was edited by hand/),
        }),
      );
    }
  });
});

describe("ValueCipher round trips", () => {
  it("writes sops' layout: 32-byte IV, 16-byte tag, the Go type tag", () => {
    const cipher = new ValueCipher(key());
    const cases = [
      ["secret", "str"],
      [42n, "int"],
      [1.5, "float"],
      [false, "bool"],
      [new SopsTime("2024-01-02T03:04:05Z"), "time"],
      [new Comment(" note"), "comment"],
      [new Uint8Array([0xff, 0xfe]), "str"],
    ] as const;
    for (const [value, type] of cases) {
      const text = cipher.encrypt(value, "a:b:");
      const f = fields(text);
      expect(f.type).toBe(type);
      expect(Buffer.from(f.iv, "base64")).toHaveLength(32);
      expect(Buffer.from(f.tag, "base64")).toHaveLength(16);
      expect(Buffer.from(f.data, "base64")).toHaveLength(valueToBytes(value).bytes.length);
      expect(isEncryptedValue(text)).toBe(true);
      expect(cipher.decrypt(text, "a:b:")).toEqual(value);
    }
  });

  it("gives each value a fresh IV, also across the IV pool's refills", () => {
    const cipher = new ValueCipher(key());
    const ivs = new Set<string>();
    for (let i = 0; i < 2100; i++) ivs.add(fields(cipher.encrypt("same", "k:")).iv);
    expect(ivs.size).toBe(2100);
    expect(ivs.has(Buffer.alloc(32).toString("base64"))).toBe(false);
  });

  it("reuses a decrypted value's IV for the same value at the same path only (stable ciphertext on edit)", () => {
    const k = key();
    const original = new ValueCipher(k).encrypt("v", "a:");
    const editing = new ValueCipher(k);
    editing.decrypt(original, "a:");
    expect(editing.encrypt("v", "a:")).toBe(original);
    expect(fields(editing.encrypt("w", "a:")).iv).not.toBe(fields(original).iv);
    expect(fields(editing.encrypt("v", "b:")).iv).not.toBe(fields(original).iv);
    // a plain decrypt (or a verification) does not remember IVs
    const plain = new ValueCipher(k, { rememberIvs: false });
    plain.decrypt(original, "a:");
    expect(plain.encrypt("v", "a:")).not.toBe(original);
  });

  it("reuses a comment's IV only for the comment", () => {
    const k = key();
    const comment = new ValueCipher(k).encrypt(new Comment("x"), "a:");
    const editing = new ValueCipher(k);
    editing.decrypt(comment, "a:");
    expect(editing.encrypt(new Comment("x"), "a:")).toBe(comment);
    expect(fields(editing.encrypt("x", "a:")).iv).not.toBe(fields(comment).iv);
  });

  it("encrypts the empty string to the empty string and back", () => {
    const cipher = new ValueCipher(key());
    expect(cipher.encrypt("", "a:")).toBe("");
    expect(cipher.decrypt("", "a:")).toBe("");
  });

  it("returns bytes that are not UTF-8 as bytes, and legacy `bytes` values as bytes", () => {
    const cipher = new ValueCipher(key());
    const bytes = new Uint8Array([0xc3, 0x28, 0x00]);
    expect(cipher.decrypt(cipher.encrypt(bytes, "a:"), "a:")).toEqual(bytes);
    const legacy = cipher.encrypt("abc", "a:").replace("type:str]", "type:bytes]");
    // the type is not authenticated by GCM, as in sops: only the decoding changes
    expect(cipher.decrypt(legacy, "a:")).toEqual(new Uint8Array(Buffer.from("abc")));
  });

  it("refuses a decrypted value that is not valid for its type, naming the value and type", () => {
    const cipher = new ValueCipher(key());
    const retyped = (value: string, type: string) => cipher.encrypt(value, "a:").replace("type:str]", `type:${type}]`);
    const cases = [
      ["x1", "int", /decrypted int value "x1" is not a valid integer/],
      ["1.2.3", "float", /decrypted float value "1.2.3" is not a valid float/],
      ["yes", "bool", /decrypted bool value "yes" is not a valid bool/],
      ["2024-13-01T00:00:00Z", "time", /decrypted time value "2024-13-01T00:00:00Z" is not a valid RFC 3339 time/],
      // YAML's other timestamp forms are not what Go's time.UnmarshalText reads
      ["2024-01-02 03:04:05", "time", /is not a valid RFC 3339 time/],
      ["2024-01-02", "time", /is not a valid RFC 3339 time/],
      ["v", "weird", /unknown value type "weird"/],
    ] as const;
    for (const [value, type, message] of cases) {
      expect(() => cipher.decrypt(retyped(value, type), "a:")).toThrow(
        expect.objectContaining({ code: "E_SOPS_DECRYPT", message: expect.stringMatching(message) }),
      );
    }
    expect(cipher.decrypt(retyped("-7", "int"), "a:")).toBe(-7n);
    expect(cipher.decrypt(retyped("2024-01-02T03:04:05+02:00", "time"), "a:")).toEqual(
      new SopsTime("2024-01-02T03:04:05+02:00"),
    );
  });

  it("refuses a data key that is not 32 bytes", () => {
    expect(() => new ValueCipher(new Uint8Array(16))).toThrow(/data key must be 32 bytes, got 16/);
  });
});

describe("valueToBytes (the plaintext and the MAC bytes)", () => {
  it("formats every type as Go sops does", () => {
    const text = (value: Parameters<typeof valueToBytes>[0]) => Buffer.from(valueToBytes(value).bytes).toString();
    expect(text(true)).toBe("True");
    expect(text(false)).toBe("False");
    expect(text(1e21)).toBe("1000000000000000000000");
    expect(text(-12n)).toBe("-12");
    expect(text(new Comment(" c"))).toBe(" c");
    expect(text(new SopsTime("2024-01-02T03:04:05Z"))).toBe("2024-01-02T03:04:05Z");
    expect(() => valueToBytes(null)).toThrow(/null values are never encrypted/);
  });
});

describe("isEncryptedValue", () => {
  it("is true for sops ciphertext only", () => {
    expect(isEncryptedValue(GO.myapp1)).toBe(true);
    expect(isEncryptedValue(`x${GO.myapp1}`)).toBe(false);
    expect(isEncryptedValue("ENC[AES256_GCM,data:a,iv:b,tag:c]")).toBe(false);
    expect(isEncryptedValue(42)).toBe(false);
    expect(isEncryptedValue(new Comment(GO.comment))).toBe(false);
  });
});
