// `gen config --check`: whether talos/generated/ still holds what the definition and the bundle render.
// The ciphertext differs on every encryption, so each file is decrypted in memory and compared as parsed YAML.
import type { Cluster } from "@kubeforge/config";
import { parseAllDocuments } from "yaml";
import { renderMachineConfigs, stringifyMachineConfig } from "../config/render.js";
import { TalosError, type TalosIssue } from "../errors.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import type { SecretSealer } from "../store/sealer.js";
import { renderTalosconfig } from "../talosconfig.js";
import { readBundle } from "./bundle-store.js";
import { firstDocumentDifference } from "./document-diff.js";
import { readTextIfExists } from "./files.js";
import { MACHINE_CONFIG_FORMAT } from "./generate-output.js";
import { machineConfigFile, type TalosLayout, talosconfigFile } from "./layout.js";

export interface CheckOutputOptions {
  readonly cluster: Cluster;
  readonly layout: TalosLayout;
  readonly sealer: SecretSealer;
  /** Command that brings the output up to date, named in every finding. @default "kubeforge build" */
  readonly fix?: string;
  readonly now?: Date;
}

export type CheckOutputResult =
  /** `stale` is empty when every file matches the fresh render. */
  | { readonly checked: true; readonly files: readonly string[]; readonly stale: readonly TalosIssue[] }
  /** No age key decrypts the bundle, so nothing could be compared. */
  | { readonly checked: false; readonly reason: string };

function parseStream(text: string): unknown[] {
  return parseAllDocuments(text).map((document) => document.toJS() as unknown);
}

/** The committed file decrypted, or an issue saying why it cannot be compared. */
async function openCommitted(
  file: string,
  sealer: SecretSealer,
  fix: string,
): Promise<{ text: string } | { issue: TalosIssue }> {
  const stored = await readTextIfExists(file);
  if (stored === undefined) return { issue: { file, path: "", message: `is missing — run \`${fix}\`` } };
  if (!sealer.isSealed(stored, "yaml")) {
    return {
      issue: {
        file,
        path: "",
        message: "is not SOPS-encrypted",
        hint: `it may expose key material: remove it from git history if it was pushed, then run \`${fix}\``,
      },
    };
  }
  try {
    return { text: await sealer.open(stored, { file, format: MACHINE_CONFIG_FORMAT }) };
  } catch (cause) {
    const inner = cause instanceof TalosError ? cause.issues[0]?.message : (cause as Error).message.split("\n")[0];
    return {
      issue: {
        file,
        path: "",
        message: `cannot be compared: ${inner}`,
        hint: `it is not encrypted to a key you hold (the bundle is): run \`${fix}\` to re-encrypt it to the cluster's recipients`,
      },
    };
  }
}

function compare(file: string, committed: string, fresh: string, fix: string): TalosIssue | undefined {
  let documents: unknown[];
  try {
    documents = parseStream(committed);
  } catch (cause) {
    return {
      file,
      path: "",
      message: `is not valid YAML (${(cause as Error).message.split("\n")[0]}) — run \`${fix}\``,
    };
  }
  const difference = firstDocumentDifference(documents, parseStream(fresh));
  if (difference === undefined) return undefined;
  return {
    file,
    path: difference.path,
    message: `${difference.committed} in the committed file, ${difference.fresh} from the cluster definition — run \`${fix}\``,
  };
}

async function readBundleForCheck(
  layout: TalosLayout,
  sealer: SecretSealer,
): Promise<SecretsBundle | { reason: string }> {
  try {
    return await readBundle({ file: layout.bundle, sealer });
  } catch (error) {
    // Only "no key can decrypt it" is a reason not to check; a missing or damaged bundle stays an error.
    if (error instanceof TalosError && error.code === "E_BUNDLE_DECRYPT" && error.cause instanceof TalosError) {
      return {
        reason: `${layout.bundle} cannot be decrypted with the age keys available (${error.issues[0]?.message ?? "no key"}); set SOPS_AGE_KEY_FILE (or SOPS_AGE_KEY) to the cluster's age key to check talos/generated/`,
      };
    }
    throw error;
  }
}

/**
 * Decrypts every generated machine config and the talosconfig in memory and compares them with a fresh render
 * from the definition and the bundle. Writes nothing. Stale files are reported with the first differing path;
 * secret values are never part of a message.
 */
export async function checkTalosOutput(options: CheckOutputOptions): Promise<CheckOutputResult> {
  const { cluster, layout, sealer } = options;
  const fix = options.fix ?? "kubeforge build";
  const bundle = await readBundleForCheck(layout, sealer);
  if ("reason" in bundle) return { checked: false, reason: bundle.reason };
  const files: string[] = [];
  const stale: TalosIssue[] = [];
  for (const config of renderMachineConfigs(cluster, bundle)) {
    const file = machineConfigFile(layout.generated, config.hostname);
    files.push(file);
    const committed = await openCommitted(file, sealer, fix);
    const issue =
      "issue" in committed ? committed.issue : compare(file, committed.text, stringifyMachineConfig(config), fix);
    if (issue) stale.push(issue);
  }
  const file = talosconfigFile(layout.generated);
  files.push(file);
  const committed = await openCommitted(file, sealer, fix);
  if ("issue" in committed) stale.push(committed.issue);
  else {
    const talosconfig = await renderTalosconfig({
      cluster,
      bundle,
      previous: committed.text,
      ...(options.now ? { now: options.now } : {}),
    });
    // A kept admin certificate makes the render deterministic; one that would be re-issued is itself stale.
    const issue = talosconfig.reused
      ? compare(file, committed.text, talosconfig.text, fix)
      : {
          file,
          path: "contexts",
          message: `its admin certificate would be re-issued (${talosconfig.reason}) — run \`${fix}\``,
        };
    if (issue) stale.push(issue);
  }
  return { checked: true, files, stale };
}
