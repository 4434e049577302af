// An age header stanza (`-> type args…` and its body), shaped as age-encryption's `Stanza`, so our
// node:crypto recipients and identities plug into its Encrypter/Decrypter. Defined here so that the
// decrypt path does not load age-encryption, whose import also evaluates its post-quantum and NIST-curve
// modules (about 50 ms per process and per worker thread, for keys sops files rarely use).
export class Stanza {
  constructor(
    /** The space-separated arguments of the stanza's first line (the first names the recipient type). */
    readonly args: string[],
    /** The stanza's raw body. */
    readonly body: Uint8Array,
  ) {}
}
