// Differential test: ValueCipher reads ENC[…] values with a hand-written fast path; whatever the text, it
// must split the fields exactly as Go sops' regexp (aes/cipher.go `encre`) does, so that a value Go refuses
// is refused here and a value Go reads is read the same way.
import { createDecipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ValueCipher } from "./cipher.js";
import { Comment } from "./tree.js";

// sops 3.13 aes/cipher.go: regexp.MustCompile(`^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]`)
// (Go's `.` does not match \n by default; sops' values hold no newline, the generated inputs neither.)
const GO_ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;
const VALID_FOR_42 = new Set(["str", "int", "float", "comment", "bytes"]);
// Go's base64.StdEncoding: padded, the standard alphabet only (Go also skips \r and \n, which `.` never matches)
const GO_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** What Go sops gives (parse, base64, AES-GCM, type): format | auth | unknown:<type> | invalid:<type> | ok:<type>. */
function reference(text: string, key: Uint8Array, aad: string): string {
  const match = GO_ENC.exec(text);
  if (!match) return "format";
  const [, data, iv, tag, type] = match as unknown as [string, string, string, string, string];
  // sops decodes data, iv and tag before decrypting, and refuses text that is not base64
  if (![data, iv, tag].every((field) => GO_BASE64.test(field))) return "format";
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    decipher.update(Buffer.from(data, "base64"));
    decipher.final();
  } catch {
    return "auth";
  }
  if (type === "bool" || type === "time") return `invalid:${type}`;
  return VALID_FOR_42.has(type) ? `ok:${type}` : `unknown:${type}`;
}

function outcome(cipher: ValueCipher, text: string, aad: string): string {
  let value: unknown;
  try {
    value = cipher.decrypt(text, aad);
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes("not in sops' ENC[AES256_GCM,…] format")) return "format";
    if (message.includes("failed authentication")) return "auth";
    const unknown = /unknown value type "(.*)"/s.exec(message);
    if (unknown) return `unknown:${unknown[1]}`;
    const invalid = /^decrypted (\w+) value/.exec(message);
    if (invalid) return `invalid:${invalid[1]}`;
    throw error;
  }
  if (typeof value === "string") return value === "42" ? "ok:str" : `wrong:${value}`;
  if (typeof value === "bigint") return "ok:int";
  if (typeof value === "number") return "ok:float";
  if (value instanceof Comment) return "ok:comment";
  if (value instanceof Uint8Array) return "ok:bytes";
  return `wrong:${String(value)}`;
}

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible case. */
function prng(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [",iv:", ",tag:", ",type:", ",", "]", "x", "ENC[AES256_GCM,data:", "str", "int", "==", ":"];

describe("ENC[…] parsing agrees with Go's regexp", () => {
  const key = randomBytes(32);
  const cipher = new ValueCipher(key, { rememberIvs: false });
  const aad = "a:b:";
  const base = cipher.encrypt("42", aad);
  const [, data, iv, tag] = GO_ENC.exec(base) as unknown as [string, string, string, string];
  const agree = (text: string) => expect([text, outcome(cipher, text, aad)]).toEqual([text, reference(text, key, aad)]);

  it("on hand-picked edge cases", () => {
    const cases = [
      base,
      `${base}trailing`,
      `${base}]`,
      `x${base}`,
      ` ${base}`,
      base.slice(0, -1),
      base.replace("type:str]", "type:int]"),
      base.replace("type:str]", "type:bool]"),
      base.replace("type:str]", "type:str,x]"),
      base.replace("type:str]", "type:s]tr]"),
      base.replace("type:str]", "type:]"),
      base.replace(`,tag:${tag}`, ""),
      base.replace(`,iv:${iv}`, ""),
      base.replace(",type:str", ""),
      base.replace(`data:${data}`, "data:"),
      base.replace(`iv:${iv}`, "iv:"),
      base.replace(`tag:${tag}`, "tag:"),
      // base64 Go refuses (Node's decoder would skip the bad characters or stop at the padding)
      base.replace(`data:${data}`, `data:${data.slice(0, 2)},${data.slice(2)}`),
      base.replace(`iv:${iv}`, `iv:${iv}AAAA`),
      base.replace(`tag:${tag}`, `tag:${tag.replace(/=+$/, "")}`),
      base.replace(`tag:${tag}`, `tag: ${tag}`),
      // a field repeated: Go's greedy groups take the last separator, a first-match split would not
      base.replace(`,tag:${tag}`, `,iv:x,tag:${tag}`),
      base.replace(`,iv:${iv}`, `,iv:${iv},iv:${iv}`),
      base.replace(`,tag:${tag}`, `,tag:${tag},tag:${tag}`),
      base.replace(",type:str]", ",type:int,type:str]"),
      base.replace(`data:${data}`, `data:${data},iv:${iv}`),
      "ENC[AES256_GCM,data:,iv:,tag:,type:]",
      "ENC[AES256_GCM,data:a,iv:b,tag:c,type:str",
      "ENC[AES256_GCM,data:a]",
      "",
    ];
    for (const text of cases.filter(Boolean)) agree(text);
  });

  it("on 3,000 random edits of a valid value (insertions of separators, deletions, truncations)", () => {
    const random = prng(0x5eed);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    for (let n = 0; n < 3000; n++) {
      let text = base;
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (text.length + 1));
        const kind = random();
        if (kind < 0.6) text = text.slice(0, at) + pick(FRAGMENTS) + text.slice(at);
        else if (kind < 0.9) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 6));
        else text = text.slice(0, at);
      }
      if (text !== "") agree(text);
    }
  });
});
