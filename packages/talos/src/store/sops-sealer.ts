// The SOPS-backed sealer, coded against the agreed @kubeforge/sops API (encryptText/decryptText).
import { TalosError } from "../errors.js";
import type { SealFormat, SecretSealer } from "./sealer.js";

/** The part of @kubeforge/sops this package uses. */
export interface SopsApi {
  encryptText(
    plaintext: string,
    options: {
      format: SealFormat;
      recipients: readonly string[];
      previous?: string;
      identities?: readonly string[];
      yamlIndent?: number;
    },
  ): Promise<string>;
  decryptText(
    ciphertext: string,
    options: { format: SealFormat; identities?: readonly string[]; file?: string },
  ): Promise<string>;
  isSopsEncrypted(text: string, format: SealFormat): boolean;
}

export interface SopsSealerOptions {
  /** The @kubeforge/sops module, or a function loading it on first use. */
  readonly sops: SopsApi | (() => Promise<SopsApi>);
  /** age recipients (the cluster's sops.ageRecipients). */
  readonly recipients: readonly string[];
  /** AGE-SECRET-KEY-1… identities; default: @kubeforge/sops reads SOPS_AGE_KEY / SOPS_AGE_KEY_FILE. */
  readonly identities?: readonly string[];
  /**
   * Indent of the encrypted YAML; decrypted text keeps Talos' own 4-space layout.
   * @default 2 (the repository's `.sops.yaml` `stores.yaml.indent`, which biome also expects)
   */
  readonly yamlIndent?: number;
}

/** SOPS already names the file; the issue names it once, so its own prefixes are dropped. */
function withoutFile(message: string, file: string): string {
  let text = message;
  while (text.startsWith(`${file}: `)) text = text.slice(file.length + 2);
  return text;
}

/** SOPS errors carry a string code; they become TalosErrors that name the file. */
async function wrapSops<T>(file: string, action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    if (cause instanceof TalosError || typeof (cause as { code?: unknown }).code !== "string") throw cause;
    throw new TalosError(
      "E_SOPS_FAILED",
      [
        {
          file,
          path: "",
          message: `cannot be ${action}: ${withoutFile((cause as Error).message.split("\n")[0] ?? "", file)}`,
          hint: "check SOPS_AGE_KEY_FILE / SOPS_AGE_KEY and the cluster's sops.ageRecipients",
        },
      ],
      { cause },
    );
  }
}

/** Recognised without loading SOPS, so a missing file or plaintext can be reported first. */
export function looksSopsEncrypted(text: string, format: SealFormat): boolean {
  return format === "yaml" ? /^sops:\s*$/m.test(text) : /"sops"\s*:\s*\{/.test(text);
}

export function createSopsSealer(options: SopsSealerOptions): SecretSealer {
  const { recipients, identities } = options;
  let loaded: Promise<SopsApi> | undefined;
  const sops = () => {
    loaded ??= typeof options.sops === "function" ? options.sops() : Promise.resolve(options.sops);
    return loaded;
  };
  return {
    seal: (plaintext, { file, format, previous }) =>
      wrapSops(file, "encrypted", async () =>
        (await sops()).encryptText(plaintext, {
          format,
          recipients,
          yamlIndent: options.yamlIndent ?? 2,
          ...(previous !== undefined ? { previous } : {}),
          ...(identities !== undefined ? { identities } : {}),
        }),
      ),
    open: (ciphertext, { file, format }) =>
      wrapSops(file, "decrypted", async () =>
        (await sops()).decryptText(ciphertext, { format, file, ...(identities !== undefined ? { identities } : {}) }),
      ),
    isSealed: looksSopsEncrypted,
  };
}
