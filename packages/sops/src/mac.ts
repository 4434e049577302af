// The sops MAC: SHA-512 over the plaintext bytes of the values, in document order, as uppercase hex.
import { createHash, type Hash } from "node:crypto";

/** SHA-256("sops"): hashed first when `mac_only_encrypted` is set. */
const MAC_ONLY_ENCRYPTED_PREFIX = Buffer.from(
  "8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69",
  "hex",
);

export class MacHasher {
  private readonly hash: Hash = createHash("sha512");

  constructor(readonly macOnlyEncrypted: boolean) {
    if (macOnlyEncrypted) this.hash.update(MAC_ONLY_ENCRYPTED_PREFIX);
  }

  /** Adds a value; with `mac_only_encrypted`, unencrypted values are skipped. */
  add(bytes: Uint8Array, encrypted: boolean): void {
    if (this.macOnlyEncrypted && !encrypted) return;
    this.hash.update(bytes);
  }

  digest(): string {
    return this.hash.digest("hex").toUpperCase();
  }
}
