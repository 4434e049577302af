// Writes a cluster's Talos output: encrypted machine configs and talosconfig (plus optional decrypted copies).
import type { Cluster } from "@kubeforge/config";
import { talosMinor } from "../config/contract.js";
import { renderMachineConfigs, stringifyMachineConfig } from "../config/render.js";
import { TalosError } from "../errors.js";
import { validateConfigDocuments } from "../schema/validate-config.js";
import type { SealFormat, SecretSealer } from "../store/sealer.js";
import { renderTalosconfig } from "../talosconfig.js";
import { readBundle } from "./bundle-store.js";
import { readTextIfExists, writeFileAtomic } from "./files.js";
import { machineConfigFile, type TalosLayout, talosconfigFile } from "./layout.js";
import { checkGeneratedCas } from "./pki-guard.js";
import { type PlaintextOutputResult, writePlaintextOutput } from "./plaintext-output.js";

/** Machine configs are multi-document streams; SOPS keeps each document's structure visible. */
export const MACHINE_CONFIG_FORMAT: SealFormat = "yaml";

export interface GenerateOutputOptions {
  readonly cluster: Cluster;
  readonly layout: TalosLayout;
  readonly sealer: SecretSealer;
  /** Also write decrypted copies (mode 0600) to `layout.plaintext`, which must be gitignored. */
  readonly plaintext?: boolean;
  /**
   * Accept a bundle whose CAs differ from those in the existing generated configs (a deliberate re-key of a
   * cluster that will be reinstalled). Without it such a run fails with E_PKI_MISMATCH and changes nothing.
   */
  readonly rekey?: boolean;
  readonly now?: Date;
}

export interface GenerateOutputResult {
  readonly files: readonly { file: string; changed: boolean }[];
  readonly talosconfig: { reused: boolean; reason?: string; expires: Date };
  /** The decrypted copies, when asked for; `gitignored` only when `git check-ignore` confirmed it. */
  readonly plaintext?: PlaintextOutputResult;
}

async function sealInto(
  file: string,
  plaintext: string,
  sealer: SecretSealer,
  format: SealFormat,
): Promise<{ file: string; changed: boolean }> {
  const previous = await readTextIfExists(file);
  const sealed = await sealer.seal(plaintext, {
    file,
    format,
    ...(previous !== undefined && sealer.isSealed(previous, format) ? { previous } : {}),
  });
  if (sealed === previous) return { file, changed: false };
  await writeFileAtomic(file, sealed);
  return { file, changed: true };
}

async function readPreviousTalosconfig(file: string, sealer: SecretSealer): Promise<string | undefined> {
  const previous = await readTextIfExists(file);
  if (previous === undefined || !sealer.isSealed(previous, "yaml")) return undefined;
  try {
    return await sealer.open(previous, { file, format: "yaml" });
  } catch {
    // Unreadable (e.g. re-encrypted to other keys): a fresh admin certificate is issued instead.
    return undefined;
  }
}

export async function generateTalosOutput(options: GenerateOutputOptions): Promise<GenerateOutputResult> {
  const { cluster, layout, sealer } = options;
  const bundle = await readBundle({ file: layout.bundle, sealer });
  if (!options.rekey) await checkGeneratedCas({ layout, sealer, bundle });
  const minor = talosMinor(cluster.talos.version);
  const configs = renderMachineConfigs(cluster, bundle);
  const issues = configs.flatMap((config) =>
    validateConfigDocuments(config.documents, { minor, file: `${config.hostname} (generated)` }),
  );
  if (issues.length > 0) {
    throw new TalosError("E_SCHEMA_INVALID", issues, {
      summary: `the generated configs do not validate against the Talos ${cluster.talos.version} schema (check the model's patches):`,
    });
  }
  const files: { file: string; changed: boolean }[] = [];
  const plaintexts: { name: string; text: string }[] = [];
  for (const config of configs) {
    const text = stringifyMachineConfig(config);
    files.push(
      await sealInto(machineConfigFile(layout.generated, config.hostname), text, sealer, MACHINE_CONFIG_FORMAT),
    );
    plaintexts.push({ name: `${config.hostname}.yaml`, text });
  }
  const talosconfigPath = talosconfigFile(layout.generated);
  const talosconfig = await renderTalosconfig({
    cluster,
    bundle,
    previous: await readPreviousTalosconfig(talosconfigPath, sealer),
    ...(options.now ? { now: options.now } : {}),
  });
  files.push(await sealInto(talosconfigPath, talosconfig.text, sealer, "yaml"));
  plaintexts.push({ name: "talosconfig", text: talosconfig.text });
  const plaintext = options.plaintext
    ? await writePlaintextOutput({ directory: layout.plaintext, files: plaintexts })
    : undefined;
  return {
    files,
    ...(plaintext !== undefined ? { plaintext } : {}),
    talosconfig: {
      reused: talosconfig.reused,
      expires: talosconfig.expires,
      ...(talosconfig.reason !== undefined ? { reason: talosconfig.reason } : {}),
    },
  };
}
