// Guards against swapping a cluster's PKI by accident: new CAs in configs for a running cluster lock the
// user out of every node. `gen secrets` refuses while generated output exists, `gen config` refuses when the
// bundle's CAs differ from the ones in the configs it would overwrite.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { TalosError, type TalosIssue } from "../errors.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import { decodePem } from "../secrets/pem.js";
import type { SecretSealer } from "../store/sealer.js";
import { readTextIfExists } from "./files.js";
import type { TalosLayout } from "./layout.js";
import { recoverBundleCommand } from "./recovery-command.js";

type CaName = "os" | "k8s" | "etcd";

/** The encrypted machine configs and talosconfig already in `talos/generated/` (absolute paths, sorted). */
export async function listGeneratedFiles(layout: TalosLayout): Promise<string[]> {
  const entries = await readdir(layout.generated).catch((cause: NodeJS.ErrnoException) => {
    if (cause.code === "ENOENT") return [] as string[];
    throw cause;
  });
  return entries
    .filter((name) => name.endsWith(".sops.yaml"))
    .sort()
    .map((name) => path.join(layout.generated, name));
}

/** A CA certificate as comparable text, whether stored as base64 of PEM or as PEM. */
function normaliseCa(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const pem = value.includes("-----BEGIN") ? value : decodePem(value);
  return pem.replace(/\s+/g, "");
}

function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The CA certificates a decrypted machine config or talosconfig carries. Pure. */
export function casInConfig(text: string): Partial<Record<CaName, string>> {
  const documents = parseAllDocuments(text).map((document) => document.toJS() as unknown);
  const first = documents[0];
  if (at(first, "contexts") !== undefined) {
    const contexts = Object.values((at(first, "contexts") ?? {}) as Record<string, unknown>);
    const os = contexts.map((context) => normaliseCa(at(context, "ca"))).find(Boolean);
    return os ? { os } : {};
  }
  const v1 = documents.find((document) => at(document, "machine") !== undefined && at(document, "kind") === undefined);
  const apiCa = documents.find((document) => at(document, "kind") === "KubeAPIServerCAConfig");
  const acceptedCas = at(apiCa, "acceptedCAs");
  const cas: Partial<Record<CaName, string>> = {
    os: normaliseCa(at(v1, "machine", "ca", "crt")),
    k8s:
      normaliseCa(at(v1, "cluster", "ca", "crt")) ??
      normaliseCa(at(apiCa, "issuingCA", "cert")) ??
      normaliseCa(Array.isArray(acceptedCas) ? acceptedCas[0] : undefined),
    etcd: normaliseCa(at(v1, "cluster", "etcd", "ca", "crt")),
  };
  return Object.fromEntries(Object.entries(cas).filter(([, value]) => value !== undefined));
}

/** Differences between the CAs in `text` and the bundle's, one issue per CA. Pure. */
export function compareCas(text: string, bundle: SecretsBundle, file: string): TalosIssue[] {
  const found = casInConfig(text);
  // `file` is in <cluster>/talos/generated/, beside the bundle's folder
  const generated = path.dirname(path.resolve(file));
  const bundleFile = path.join(path.dirname(generated), "talsecret.sops.yaml");
  const recover = recoverBundleCommand(bundleFile, path.join(generated, "<control-plane>.sops.yaml"));
  const talosconfig = /^contexts:/m.test(text);
  const ours: Record<CaName, string | undefined> = {
    os: normaliseCa(bundle.certs.os.crt),
    k8s: normaliseCa(bundle.certs.k8s.crt),
    etcd: normaliseCa(bundle.certs.etcd.crt),
  };
  return (Object.keys(ours) as CaName[])
    .filter((name) => found[name] !== undefined && found[name] !== ours[name])
    .map((name) => ({
      file,
      path: talosconfig
        ? "contexts.ca"
        : name === "os"
          ? "machine.ca"
          : name === "k8s"
            ? "cluster.ca"
            : "cluster.etcd.ca",
      message: `its ${name} CA differs from the one in the secrets bundle`,
      hint: `the bundle is not the one this cluster was built with: restore the original ${path.relative(process.cwd(), bundleFile) || bundleFile} (or move it aside and recover it with \`${recover}\`); only for a cluster you will reinstall, pass --rekey`,
    }));
}

export interface CheckGeneratedCasOptions {
  readonly layout: TalosLayout;
  readonly sealer: SecretSealer;
  readonly bundle: SecretsBundle;
}

/**
 * Decrypts every generated file and refuses (E_PKI_MISMATCH) when one was built from other CAs, or cannot be
 * read to tell. Nothing is written before this passes.
 */
export async function checkGeneratedCas(options: CheckGeneratedCasOptions): Promise<void> {
  const { layout, sealer, bundle } = options;
  const issues: TalosIssue[] = [];
  for (const file of await listGeneratedFiles(layout)) {
    const text = await readTextIfExists(file);
    if (text === undefined) continue;
    let plaintext: string;
    try {
      plaintext = sealer.isSealed(text, "yaml") ? await sealer.open(text, { file, format: "yaml" }) : text;
      parse(plaintext.split(/^---$/m)[0] ?? "");
    } catch (cause) {
      issues.push({
        file,
        path: "",
        message: `cannot be read to compare its CAs with the bundle (${(cause as Error).message.split("\n")[0]})`,
        hint: "decrypt it with the cluster's age key (SOPS_AGE_KEY_FILE); if it is stale output you mean to replace, delete it yourself",
      });
      continue;
    }
    issues.push(...compareCas(plaintext, bundle, file));
  }
  if (issues.length > 0) {
    throw new TalosError("E_PKI_MISMATCH", issues, {
      summary:
        "refusing to overwrite the generated configs: they were built from other CAs than the secrets bundle (a running cluster would reject every new config); no file was changed:",
    });
  }
}
