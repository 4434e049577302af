import { describe, expect, it } from "vitest";
import { isEncryptedValue, plaintextValues, selectionOf, shouldBeEncrypted } from "./sops-coverage.js";

const ENC = "ENC[AES256_GCM,data:3Tk=,iv:AAAAAAAAAAAAAAAAAAAAAA==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]";

describe("isEncryptedValue", () => {
  it("accepts sops ciphertext only", () => {
    expect(isEncryptedValue(ENC)).toBe(true);
    expect(isEncryptedValue("ENC[AES256_GCM,data:,iv:AA==,tag:AA==,type:str]")).toBe(true);
    expect(isEncryptedValue("ENC[hunter2]")).toBe(false);
    expect(isEncryptedValue(`${ENC} `)).toBe(false);
    expect(isEncryptedValue("hunter2")).toBe(false);
    expect(isEncryptedValue(42)).toBe(false);
  });
});

describe("shouldBeEncrypted follows the file's own sops rules", () => {
  const cases = [
    { rules: { encrypted_regex: "^(data|stringData)$" }, keys: ["stringData", "password"], encrypted: true },
    { rules: { encrypted_regex: "^(data|stringData)$" }, keys: ["metadata", "name"], encrypted: false },
    { rules: { unencrypted_suffix: "_unencrypted" }, keys: ["machine", "token"], encrypted: true },
    { rules: { unencrypted_suffix: "_unencrypted" }, keys: ["note_unencrypted", "x"], encrypted: false },
    { rules: {}, keys: ["note_unencrypted"], encrypted: false },
    { rules: {}, keys: ["token"], encrypted: true },
    { rules: { encrypted_suffix: "_secret" }, keys: ["db_secret"], encrypted: true },
    { rules: { encrypted_suffix: "_secret" }, keys: ["db"], encrypted: false },
    { rules: { unencrypted_regex: "^public" }, keys: ["publicKey"], encrypted: false },
    { rules: { unencrypted_regex: "^public" }, keys: ["privateKey"], encrypted: true },
    { rules: { encrypted_regex: "(?i)^PASS" }, keys: ["password"], encrypted: true },
  ];
  it.each(cases)("$rules $keys → $encrypted", ({ rules, keys, encrypted }) => {
    const selection = selectionOf({ mac: ENC, ...rules });
    expect(selection).toBeDefined();
    expect(shouldBeEncrypted(keys, selection ?? {})).toBe(encrypted);
  });

  it("cannot tell for comment-based rules or a regex JavaScript cannot compile", () => {
    expect(selectionOf({ mac: ENC, encrypted_comment_regex: "sops:enc" })).toBeUndefined();
    expect(selectionOf({ mac: ENC, encrypted_regex: "(?P<x>a" })).toBeUndefined();
  });
});

describe("plaintextValues", () => {
  it("finds every leaf its rules encrypt that is not ciphertext, nested in maps and lists", () => {
    const document = {
      cluster: {
        token: "plain",
        id: ENC,
        list: [ENC, "leak", { deep: 3 }],
        note_unencrypted: "ok",
        empty: "",
        nil: null,
      },
      sops: { mac: ENC, unencrypted_suffix: "_unencrypted" },
    };
    expect(plaintextValues(document, selectionOf(document.sops) ?? {})).toEqual([
      ["cluster", "token"],
      ["cluster", "list", 1],
      ["cluster", "list", 2, "deep"],
    ]);
  });

  it("leaves what encrypted_regex does not select", () => {
    const document = { kind: "Secret", metadata: { name: "db" }, stringData: { password: "hunter2" } };
    expect(plaintextValues(document, selectionOf({ mac: ENC, encrypted_regex: "^(data|stringData)$" }) ?? {})).toEqual([
      ["stringData", "password"],
    ]);
  });
});
