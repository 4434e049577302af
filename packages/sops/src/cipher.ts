// AES-256-GCM value encryption in sops' `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` format (32-byte IVs).
import { createCipheriv, createDecipheriv, randomFillSync } from "node:crypto";
import { SopsError } from "./errors.js";
import { formatFloatF, parseGoBool, parseGoFloat, parseGoInt } from "./go-format.js";
import { normalizeTimestamp } from "./timestamp.js";
import { Comment, type Leaf, SopsTime } from "./tree.js";

export type ValueType = "str" | "int" | "float" | "bool" | "time" | "comment" | "bytes";

const ENC_PATTERN = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/s;
// Go's base64.StdEncoding (padded, standard alphabet). Node's decoder skips bad characters and stops at
// padding, so without this check a value Go sops (and Flux) refuses would decrypt here.
// Whole 4-character groups of the standard alphabet with at most two `=` at the end: the same language as
// /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, without its groups (a value per call).
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (text: string) => text.length % 4 === 0 && BASE64_CHARS.test(text);
// ignoreBOM: a value that starts with U+FEFF keeps it (Go strings are bytes; the MAC hashes them all)
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The data, iv, tag and type fields of `ENC[…]` (as ENC_PATTERN reads them), without a regex per value. */
function splitEncrypted(text: string): [string, string, string, string] | undefined {
  if (!text.startsWith("ENC[AES256_GCM,data:") || !text.endsWith("]")) return ENC_FALLBACK(text);
  const iv = text.indexOf(",iv:", 20);
  const tag = text.indexOf(",tag:", iv + 4);
  const type = text.indexOf(",type:", tag + 5);
  if (iv < 0 || tag < 0 || type < 0 || text.indexOf(",", type + 6) >= 0) return ENC_FALLBACK(text);
  const fields: [string, string, string, string] = [
    text.slice(20, iv),
    text.slice(iv + 4, tag),
    text.slice(tag + 5, type),
    text.slice(type + 6, -1),
  ];
  return fields.every((f) => f.length > 0) ? fields : ENC_FALLBACK(text);
}

function ENC_FALLBACK(text: string): [string, string, string, string] | undefined {
  const match = ENC_PATTERN.exec(text);
  return match ? [match[1]!, match[2]!, match[3]!, match[4]!] : undefined;
}

export function isEncryptedValue(value: unknown): value is string {
  return typeof value === "string" && ENC_PATTERN.test(value);
}

/** The plaintext bytes and `type` tag sops uses for a value (also the MAC bytes). */
export function valueToBytes(value: Leaf | Comment): { bytes: Uint8Array; type: ValueType } {
  if (value instanceof Comment) return { bytes: Buffer.from(value.text, "utf8"), type: "comment" };
  if (typeof value === "string") return { bytes: Buffer.from(value, "utf8"), type: "str" };
  if (value instanceof Uint8Array) return { bytes: value, type: "str" };
  if (typeof value === "bigint") return { bytes: Buffer.from(value.toString(), "utf8"), type: "int" };
  if (typeof value === "number") return { bytes: Buffer.from(formatFloatF(value), "utf8"), type: "float" };
  if (typeof value === "boolean") return { bytes: Buffer.from(value ? "True" : "False", "utf8"), type: "bool" };
  if (value instanceof SopsTime) return { bytes: Buffer.from(value.text, "utf8"), type: "time" };
  throw new Error("null values are never encrypted");
}

/** The value a decrypted `type:` tag and its plaintext bytes stand for. */
export function bytesToValue(bytes: Buffer, type: string): Leaf | Comment {
  const text = bytes.toString("utf8");
  const bad = (what: string) =>
    new SopsError("E_SOPS_DECRYPT", `decrypted ${type} value ${JSON.stringify(text)} is not a valid ${what}`);
  switch (type) {
    case "str":
      try {
        return utf8.decode(bytes);
      } catch {
        return new Uint8Array(bytes);
      }
    case "bytes":
      return new Uint8Array(bytes);
    case "comment":
      return new Comment(text);
    case "int": {
      const value = parseGoInt(text);
      if (value === undefined) throw bad("integer");
      return value;
    }
    case "float": {
      const value = parseGoFloat(text);
      if (value === undefined) throw bad("float");
      return value;
    }
    case "bool": {
      const value = parseGoBool(text);
      if (value === undefined) throw bad("bool");
      return value;
    }
    case "time": {
      const value = normalizeTimestamp(text, { rfc3339Only: true });
      if (value === undefined) throw bad("RFC 3339 time");
      return new SopsTime(value);
    }
    default:
      throw new SopsError("E_SOPS_DECRYPT", `unknown value type "${type}"`);
  }
}

/**
 * Encrypts and decrypts values with one data key. It remembers the IV of every value it decrypted, so
 * re-encrypting an unchanged value under the same data key gives byte-identical ciphertext (as Go sops).
 */
// IVs come from a pooled CSPRNG buffer: one randomFillSync per 1,024 values instead of one per value.
const IV_POOL = Buffer.alloc(32 * 1024);
let ivOffset = IV_POOL.length;

function freshIv(): Buffer {
  if (ivOffset === IV_POOL.length) {
    randomFillSync(IV_POOL);
    ivOffset = 0;
  }
  const iv = Buffer.from(IV_POOL.subarray(ivOffset, ivOffset + 32));
  IV_POOL.fill(0, ivOffset, ivOffset + 32);
  ivOffset += 32;
  return iv;
}

/** Ciphertexts one sealing made, keyed by `aad NUL ENC[…]`, with the plaintext bytes each encrypts. */
export class ProducedValues {
  // parallel arrays in the order the values were encrypted (document order): no object or key per value
  readonly texts: string[] = [];
  readonly aads: string[] = [];
  readonly bytes: Uint8Array[] = [];
  readonly types: ValueType[] = [];

  get size(): number {
    return this.texts.length;
  }

  add(text: string, aad: string, bytes: Uint8Array, type: ValueType): void {
    this.texts.push(text);
    this.aads.push(aad);
    this.bytes.push(bytes);
    this.types.push(type);
  }
}

/** How many produced values a verifying cipher still decrypts with AES before it trusts the record. */
const REAL_DECRYPTS = 64;

export class ValueCipher {
  private readonly stash = new Map<string, Buffer>();
  private recording: ProducedValues | undefined;
  private realDecrypts = REAL_DECRYPTS;
  /** The next recorded value a verifying cipher expects (openings walk in the order sealing did). */
  private nextProduced = 0;

  /**
   * `rememberIvs` (default) records each decrypted value's IV so re-encrypting the same value at the same
   * place reuses it (stable ciphertext on edit); a plain decrypt or a verification turns it off.
   */
  constructor(
    readonly dataKey: Uint8Array,
    private readonly options: {
      rememberIvs?: boolean;
      /**
       * What a sealing under this data key just produced (see `record`). A ciphertext that is the next
       * one recorded, under the same AAD, is not decrypted again except for the first REAL_DECRYPTS: AES-GCM made it from
       * these bytes moments ago, and every other step of opening (parsing, paths, rules, type tags, the
       * MAC, which is always decrypted) still runs. Anything not found is decrypted as usual.
       */
      produced?: ProducedValues;
    } = {},
  ) {
    if (dataKey.length !== 32) throw new Error(`data key must be 32 bytes, got ${dataKey.length}`);
  }

  encrypt(value: Leaf | Comment, aad: string): string {
    const { bytes, type } = valueToBytes(value);
    return this.encryptBytes(bytes, type, aad);
  }

  /** Encrypts a value's plaintext bytes (as valueToBytes gives them) under `aad`. */
  encryptBytes(bytes: Uint8Array, type: ValueType, aad: string): string {
    if (bytes.length === 0) return "";
    // only a document opened for re-encryption has IVs to reuse; a fresh one skips the lookup key
    const iv =
      (this.stash.size > 0 && this.stash.get(`${aad}\u0000${type}\u0000${Buffer.from(bytes).toString("base64")}`)) ||
      freshIv();
    const cipher = createCipheriv("aes-256-gcm", this.dataKey, iv);
    cipher.setAAD(Buffer.from(aad, "utf8"));
    const head = cipher.update(bytes);
    const tail = cipher.final(); // empty for GCM; kept in case a runtime buffers
    const data = tail.length === 0 ? head : Buffer.concat([head, tail]);
    const tag = cipher.getAuthTag();
    const text = `ENC[AES256_GCM,data:${data.toString("base64")},iv:${iv.toString("base64")},tag:${tag.toString("base64")},type:${type}]`;
    this.recording?.add(text, aad, bytes, type);
    return text;
  }

  /** Records every ciphertext `encrypt` makes into `into` until the returned function is called. */
  record(into: ProducedValues): () => void {
    this.recording = into;
    return () => {
      this.recording = undefined;
    };
  }

  /** Decrypts one `ENC[…]` string; the empty string decrypts to the empty string. */
  decrypt(text: string, aad: string): Leaf | Comment {
    if (text === "") return "";
    const { bytes, type } = this.decryptBytes(text, aad);
    return bytesToValue(bytes, type);
  }

  /** Decrypts one non-empty `ENC[…]` string to its plaintext bytes and `type:` tag. */
  decryptBytes(text: string, aad: string): { bytes: Buffer; type: string } {
    const produced = this.options.produced;
    const k = this.nextProduced;
    // the same ciphertext at the same AAD as the k-th value sealed; anything else is decrypted for real
    if (produced && k < produced.size && produced.texts[k] === text && produced.aads[k] === aad) {
      this.nextProduced = k + 1;
      if (this.realDecrypts === 0) {
        const bytes = produced.bytes[k]!;
        return { bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), type: produced.types[k]! };
      }
      this.realDecrypts -= 1;
    }
    const match = splitEncrypted(text);
    if (!match || !isBase64(match[0]) || !isBase64(match[1]) || !isBase64(match[2])) {
      throw new SopsError("E_SOPS_DECRYPT", "value is not in sops' ENC[AES256_GCM,…] format", {
        hint: "the file was edited by hand or the encryption rules in its metadata were changed",
      });
    }
    const [data, ivText, tagText, type] = match;
    const iv = Buffer.from(ivText, "base64");
    let plain: Buffer;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.dataKey, iv, { authTagLength: 16 });
      decipher.setAAD(Buffer.from(aad, "utf8"));
      decipher.setAuthTag(Buffer.from(tagText, "base64"));
      const head = decipher.update(Buffer.from(data, "base64"));
      const tail = decipher.final();
      plain = tail.length === 0 ? head : Buffer.concat([head, tail]);
    } catch (error) {
      throw new SopsError("E_SOPS_DECRYPT", "value failed authentication (wrong data key, moved key or tampering)", {
        cause: error,
      });
    }
    if (this.options.rememberIvs !== false) {
      this.stash.set(`${aad}\u0000${type === "comment" ? "comment" : type}\u0000${plain.toString("base64")}`, iv);
    }
    return { bytes: plain, type };
  }
}
