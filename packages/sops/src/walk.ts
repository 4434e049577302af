// Walks branches in document order, encrypting or decrypting the selected values and hashing the MAC.
import { bytesToValue, isEncryptedValue, type ValueCipher, valueToBytes } from "./cipher.js";
import { SopsError } from "./errors.js";
import { MacHasher } from "./mac.js";
import { type EncryptionRules, shouldEncrypt } from "./rules-match.js";
import { Comment, type Leaf, TreeMap, TreeSeq, type TreeValue } from "./tree.js";

export interface WalkResult {
  readonly branches: TreeMap[];
  /** Uppercase hex MAC of the plaintext. */
  readonly mac: string;
}

const aadOf = (path: readonly string[]) => `${path.join(":")}:`;
const dotted = (path: readonly string[]) => (path.length ? path.join(".") : "(root)");

type Visitor = {
  leaf(value: Leaf, path: readonly string[]): Leaf;
  comment(comment: Comment, path: readonly string[]): Comment;
};

function walkValue(value: TreeValue, path: readonly string[], visit: Visitor): TreeValue {
  if (value instanceof TreeMap) {
    return new TreeMap(
      value.items.map((item) =>
        item instanceof Comment
          ? visit.comment(item, path)
          : { key: item.key, value: walkValue(item.value, [...path, item.key], visit) },
      ),
    );
  }
  if (value instanceof TreeSeq) {
    return new TreeSeq(
      value.items.map((item) => (item instanceof Comment ? visit.comment(item, path) : walkValue(item, path, visit))),
    );
  }
  return visit.leaf(value, path);
}

/** Encrypts the values the rules select (`binary` passes no rules: everything). */
export function encryptBranches(branches: readonly TreeMap[], cipher: ValueCipher, rules: EncryptionRules): WalkResult {
  const mac = new MacHasher(Boolean(rules.macOnlyEncrypted));
  const visit: Visitor = {
    leaf(value, path) {
      if (value === null) return value;
      const encrypted = shouldEncrypt(path, rules);
      const { bytes, type } = valueToBytes(value);
      mac.add(bytes, encrypted);
      return encrypted ? cipher.encryptBytes(bytes, type, aadOf(path)) : value;
    },
    comment(comment, path) {
      if (!shouldEncrypt(path, rules)) return comment;
      return new Comment(cipher.encrypt(comment, aadOf(path)), comment.inline);
    },
  };
  const out = branches.map((branch) => walkValue(branch, [], visit) as TreeMap);
  return { branches: out, mac: mac.digest() };
}

function decryptComment(comment: Comment, path: readonly string[], cipher: ValueCipher): Comment {
  if (!isEncryptedValue(comment.text)) return comment;
  // The container path is right for sops' own layout; nearby paths cover comments another YAML
  // library attached one level off. GCM still authenticates whichever AAD opens it.
  const candidates = new Set<string>([aadOf(path)]);
  for (let i = path.length - 1; i >= 0; i--) candidates.add(aadOf(path.slice(0, i)));
  for (const aad of candidates) {
    try {
      const plain = cipher.decrypt(comment.text, aad);
      if (plain instanceof Comment) return new Comment(plain.text, comment.inline);
      return new Comment(typeof plain === "string" ? plain : String(plain), comment.inline);
    } catch {
      // try the next candidate; sops keeps undecryptable comments verbatim
    }
  }
  return comment;
}

/** Decrypts every value the metadata rules say is encrypted, and recomputes the MAC. */
export function decryptBranches(branches: readonly TreeMap[], cipher: ValueCipher, rules: EncryptionRules): WalkResult {
  const mac = new MacHasher(Boolean(rules.macOnlyEncrypted));
  const visit: Visitor = {
    leaf(value, path) {
      if (value === null) return value;
      const encrypted = shouldEncrypt(path, rules);
      let plain: Leaf = value;
      let macBytes: Uint8Array | undefined;
      if (encrypted) {
        if (typeof value !== "string") {
          throw new SopsError("E_SOPS_DECRYPT", "expected an encrypted ENC[…] value, found a plain value", {
            path: dotted(path),
            hint: "the file was edited by hand after encryption; restore it or re-encrypt it",
          });
        }
        if (value !== "") {
          try {
            const { bytes, type } = cipher.decryptBytes(value, aadOf(path));
            const result = bytesToValue(bytes, type);
            plain = result instanceof Comment ? result.text : result;
            // a str (or bytes) value's MAC bytes are its plaintext bytes: no second UTF-8 encoding
            if (type === "str" || type === "bytes") macBytes = bytes;
          } catch (error) {
            throw error instanceof SopsError ? error.atPath(dotted(path)) : error;
          }
        }
      }
      if (plain !== null) mac.add(macBytes ?? valueToBytes(plain).bytes, encrypted);
      return plain;
    },
    comment: (comment, path) => decryptComment(comment, path, cipher),
  };
  const out = branches.map((branch) => walkValue(branch, [], visit) as TreeMap);
  return { branches: out, mac: mac.digest() };
}
