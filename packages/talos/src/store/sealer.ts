// How key material is kept at rest. The CLI plugs in SOPS; tests can plug in a double.

/** `yaml` keeps the structure visible (values encrypted); `binary` encrypts the text as one blob. */
export type SealFormat = "yaml" | "binary";

export interface SealOptions {
  /** The file the text is written to, for messages. */
  readonly file: string;
  readonly format: SealFormat;
  /** The file's current ciphertext: returned unchanged when it already holds `plaintext` (no churn in git). */
  readonly previous?: string;
}

export interface SecretSealer {
  seal(plaintext: string, options: SealOptions): Promise<string>;
  open(ciphertext: string, options: { readonly file: string; readonly format: SealFormat }): Promise<string>;
  isSealed(text: string, format: SealFormat): boolean;
}
