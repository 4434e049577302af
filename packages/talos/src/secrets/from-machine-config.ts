// Recovers a secrets bundle from a control-plane machine config, as `talosctl gen secrets
// --from-controlplane-config` does: every secret a bundle holds is also in the config (v1alpha1 fields up to
// 1.13; in 1.14 the Kubernetes CAs, service-account key and encryption secret moved to Kube*Config documents).
import { parseAllDocuments } from "yaml";
import { TalosError, type TalosIssue } from "../errors.js";
import type { SecretsBundle } from "./bundle.js";
import { encodePem } from "./pem.js";
import { parseBundle, validateBundle } from "./read-bundle.js";

type Doc = Record<string, unknown>;

function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Doc)[key];
  }
  return current;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Whether the parsed documents look like a Talos machine config (a v1alpha1 document with `machine`). */
export function isMachineConfig(documents: readonly unknown[]): boolean {
  return documents.some((document) => at(document, "machine") !== undefined && at(document, "kind") === undefined);
}

/** A PEM from a 1.14 Kube* document (plain text) in the bundle's base64-of-PEM form. */
function pemField(value: unknown): string | undefined {
  const pem = text(value);
  return pem === undefined ? undefined : encodePem(pem.endsWith("\n") ? pem : `${pem}\n`);
}

interface EncryptionKey {
  readonly provider: "secretbox" | "aescbc";
  readonly secret: string;
}

/** Every etcd encryption key the config holds: v1alpha1 fields, else every key of a 1.14 KubeEtcdEncryptionConfig. */
function encryptionKeys(documents: readonly Doc[], v1: Doc): EncryptionKey[] {
  const fromV1 = [
    { provider: "secretbox" as const, secret: text(at(v1, "cluster", "secretboxEncryptionSecret")) },
    { provider: "aescbc" as const, secret: text(at(v1, "cluster", "aescbcEncryptionSecret")) },
  ].filter((key): key is EncryptionKey => key.secret !== undefined);
  if (fromV1.length > 0) return fromV1;
  const config = documents.find((document) => document.kind === "KubeEtcdEncryptionConfig");
  const resources = at(config, "config", "resources");
  const found = new Map<string, EncryptionKey>();
  for (const resource of Array.isArray(resources) ? resources : []) {
    const providers = at(resource, "providers");
    for (const provider of Array.isArray(providers) ? providers : []) {
      for (const name of ["secretbox", "aescbc"] as const) {
        const keys = at(provider, name, "keys");
        for (const key of Array.isArray(keys) ? keys : []) {
          const secret = text(at(key, "secret"));
          if (secret !== undefined) found.set(`${name}:${secret}`, { provider: name, secret });
        }
      }
    }
  }
  return [...found.values()];
}

/** The bundle a control-plane config carries; throws E_BUNDLE_INVALID naming what is missing or ambiguous. Pure. */
export function bundleFromMachineConfig(documents: readonly unknown[], file?: string): SecretsBundle {
  const docs = documents.filter((document): document is Doc => document !== null && typeof document === "object");
  const v1 = docs.find((document) => document.kind === undefined && "machine" in document) ?? {};
  const byKind = (kind: string) => docs.find((document) => document.kind === kind);
  if (at(v1, "machine", "type") === "worker") {
    throw new TalosError("E_BUNDLE_INVALID", [
      {
        file,
        path: "machine.type",
        message: "is worker: a worker config carries no CA keys, so no bundle can be recovered from it",
        hint: "use a control-plane node's config (talosctl -n <control-plane> get mc v1alpha1 -o yaml, or talos/out/<node>.yaml)",
      },
    ]);
  }
  const apiCa = byKind("KubeAPIServerCAConfig");
  const aggregatorCa = byKind("KubeAggregatorCAConfig");
  const serviceAccount = byKind("KubeServiceAccountConfig");
  const identity = byKind("DiscoveryIdentityConfig");
  const encryption = encryptionKeys(docs, v1);
  const fields: Record<string, string | undefined> = {
    "cluster.id": text(at(v1, "cluster", "id")) ?? text(at(identity, "clusterID")),
    "cluster.secret": text(at(v1, "cluster", "secret")) ?? text(at(identity, "clusterSecret")),
    "secrets.bootstraptoken": text(at(v1, "cluster", "token")),
    "trustdinfo.token": text(at(v1, "machine", "token")),
    "certs.etcd.crt": text(at(v1, "cluster", "etcd", "ca", "crt")),
    "certs.etcd.key": text(at(v1, "cluster", "etcd", "ca", "key")),
    "certs.k8s.crt": text(at(v1, "cluster", "ca", "crt")) ?? pemField(at(apiCa, "issuingCA", "cert")),
    "certs.k8s.key": text(at(v1, "cluster", "ca", "key")) ?? pemField(at(apiCa, "issuingCA", "key")),
    "certs.k8saggregator.crt":
      text(at(v1, "cluster", "aggregatorCA", "crt")) ?? pemField(at(aggregatorCa, "issuingCA", "cert")),
    "certs.k8saggregator.key":
      text(at(v1, "cluster", "aggregatorCA", "key")) ?? pemField(at(aggregatorCa, "issuingCA", "key")),
    "certs.k8sserviceaccount.key":
      text(at(v1, "cluster", "serviceAccount", "key")) ?? pemField(at(serviceAccount, "issuer", "privateKey")),
    "certs.os.crt": text(at(v1, "machine", "ca", "crt")),
    "certs.os.key": text(at(v1, "machine", "ca", "key")),
  };
  const issues: TalosIssue[] = Object.entries(fields)
    .filter(([, value]) => value === undefined)
    .map(([path]) => ({
      file,
      path,
      message: "is not in the machine config",
      hint: "use the full config of a control-plane node, not a patch or a worker config",
    }));
  if (encryption.length === 0) {
    issues.push({
      file,
      path: "secrets.secretboxencryptionsecret",
      message: "no secretbox or aescbc encryption secret in the machine config",
      hint: "use the full config of a control-plane node",
    });
  } else if (encryption.length > 1) {
    // A bundle holds exactly one key: keeping one would leave the Secrets etcd holds under the others unreadable.
    issues.push({
      file,
      path: "secrets",
      message: `the machine config holds ${encryption.length} etcd encryption keys (${encryption.map((key) => key.provider).join(", ")}); a bundle holds exactly one, and dropping the others would leave Secrets encrypted with them unreadable`,
      hint: "re-encrypt every Secret with the first key (kubectl get secrets -A -o json | kubectl replace -f -), remove the other keys from the config, then import it again",
    });
  }
  if (issues.length > 0) {
    throw new TalosError("E_BUNDLE_INVALID", issues, {
      summary: `${file ?? "machine config"}: no secrets bundle can be recovered from it:`,
    });
  }
  const get = (path: string) => fields[path] as string;
  const [key] = encryption as [EncryptionKey];
  return validateBundle(
    {
      cluster: { id: get("cluster.id"), secret: get("cluster.secret") },
      secrets: {
        bootstraptoken: get("secrets.bootstraptoken"),
        ...(key.provider === "secretbox"
          ? { secretboxencryptionsecret: key.secret }
          : { aescbcencryptionsecret: key.secret }),
      },
      trustdinfo: { token: get("trustdinfo.token") },
      certs: {
        etcd: { crt: get("certs.etcd.crt"), key: get("certs.etcd.key") },
        k8s: { crt: get("certs.k8s.crt"), key: get("certs.k8s.key") },
        k8saggregator: { crt: get("certs.k8saggregator.crt"), key: get("certs.k8saggregator.key") },
        k8sserviceaccount: { key: get("certs.k8sserviceaccount.key") },
        os: { crt: get("certs.os.crt"), key: get("certs.os.key") },
      },
    },
    file,
  );
}

/**
 * A bundle from what `gen secrets --from` is given: a talosctl/talhelper secrets file or a control-plane
 * machine config (already decrypted). Anything else fails with one clear E_BUNDLE_INVALID. Pure.
 */
export function parseSecretsSource(source: string, file?: string): SecretsBundle {
  const documents = parseAllDocuments(source, { uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const errors = list.flatMap((document) => document.errors);
  if (errors.length > 0) {
    const first = errors[0];
    throw new TalosError("E_BUNDLE_INVALID", [
      {
        file,
        path: first?.linePos ? `line ${first.linePos[0].line}` : "",
        message: `is not valid YAML or JSON (${(first?.message ?? "").split("\n")[0]})`,
        hint: "pass a talosctl secrets.yaml, a talhelper talsecret.yaml or a control-plane machine config",
      },
    ]);
  }
  const values = list.map((document) => document.toJS() as unknown);
  if (isMachineConfig(values)) return bundleFromMachineConfig(values, file);
  const [first] = values;
  const keys = first !== null && typeof first === "object" ? Object.keys(first).map((key) => key.toLowerCase()) : [];
  if (values.length !== 1 || !keys.includes("certs")) {
    throw new TalosError("E_BUNDLE_INVALID", [
      {
        file,
        path: "",
        message: "is neither a Talos secrets bundle (no certs) nor a control-plane machine config (no machine)",
        hint: "pass a talosctl secrets.yaml, a talhelper talsecret.yaml or a control-plane machine config",
      },
    ]);
  }
  return parseBundle(source, file);
}
