// Parses and checks a bundle written by talosctl, talhelper or kubeforge; serialises it the way talosctl does.
import { X509Certificate } from "node:crypto";
import { parseDocument } from "yaml";
import { TalosError, type TalosIssue } from "../errors.js";
import { stringifyGoYaml } from "../go-yaml-style.js";
import { type BundleCa, type SecretsBundle, secretsBundleSchema } from "./bundle.js";
import { decodePem, importTalosKey } from "./pem.js";

const CAS: readonly BundleCa[] = ["etcd", "k8s", "k8saggregator", "os"];

/** The JSON form of the bundle capitalises names (`Certs.K8sAggregator.Crt`); the YAML form lower-cases them. */
function lowerCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCaseKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key.toLowerCase(), lowerCaseKeys(inner)]));
  }
  return value;
}

function findStrings(value: unknown, path: string, test: (text: string) => boolean): string | undefined {
  if (typeof value === "string") return test(value) ? path : undefined;
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      const found = findStrings(inner, path ? `${path}.${key}` : key, test);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Checks that every certificate parses, is a CA, and matches its key. */
export function checkBundleKeys(bundle: SecretsBundle, file?: string): TalosIssue[] {
  const issues: TalosIssue[] = [];
  for (const name of CAS) {
    const pair = bundle.certs[name];
    try {
      const cert = new X509Certificate(decodePem(pair.crt));
      if (!cert.ca)
        issues.push({
          file,
          path: `certs.${name}.crt`,
          message: "is not a CA certificate",
          hint: "import the CA, not a leaf",
        });
      if (!cert.checkPrivateKey(importTalosKey(decodePem(pair.key)))) {
        issues.push({
          file,
          path: `certs.${name}.key`,
          message: `does not match certs.${name}.crt`,
          hint: "restore the matching key",
        });
      }
    } catch (cause) {
      issues.push({
        file,
        path: `certs.${name}`,
        message: `cannot be read (${(cause as Error).message})`,
        hint: "each crt/key must be base64 of a PEM certificate/private key",
      });
    }
  }
  try {
    importTalosKey(decodePem(bundle.certs.k8sserviceaccount.key));
  } catch (cause) {
    issues.push({
      file,
      path: "certs.k8sserviceaccount.key",
      message: `cannot be read (${(cause as Error).message})`,
      hint: "must be base64 of a PEM private key",
    });
  }
  return issues;
}

/** Validates bundle data (already parsed). Pure. */
export function validateBundle(data: unknown, file?: string): SecretsBundle {
  const normalised = lowerCaseKeys(data);
  if (normalised !== null && typeof normalised === "object" && "sops" in normalised) {
    throw new TalosError("E_BUNDLE_DECRYPT", [
      {
        file,
        path: "sops",
        message: "is still SOPS-encrypted",
        hint: "decrypt it first (readBundle does this for you)",
      },
    ]);
  }
  const placeholder = findStrings(normalised, "", (text) => /\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(text));
  if (placeholder !== undefined) {
    throw new TalosError("E_BUNDLE_INVALID", [
      {
        file,
        path: placeholder,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: names talhelper's literal ${VAR} syntax
        message: "holds a ${VAR} placeholder",
        hint: "substitute the talenv values before importing (kubeforge does not expand variables)",
      },
    ]);
  }
  const parsed = secretsBundleSchema.safeParse(normalised);
  if (!parsed.success) {
    throw new TalosError(
      "E_BUNDLE_INVALID",
      parsed.error.issues.map((issue) => ({
        file,
        path: issue.path.map(String).join("."),
        message: issue.message,
        hint: "the file must be a talosctl gen secrets bundle",
      })),
      { summary: `${file ?? "bundle"} is not a valid Talos secrets bundle:` },
    );
  }
  const keyIssues = checkBundleKeys(parsed.data, file);
  if (keyIssues.length > 0) {
    throw new TalosError("E_BUNDLE_INVALID", keyIssues, { summary: `${file ?? "bundle"} has unusable keys:` });
  }
  return parsed.data;
}

/** Parses bundle text (YAML or JSON, talosctl/talhelper/kubeforge) and validates it. */
export function parseBundle(text: string, file?: string): SecretsBundle {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new TalosError(
      "E_BUNDLE_INVALID",
      document.errors.map((error) => ({
        file,
        path: error.linePos ? `line ${error.linePos[0].line}` : "",
        message: error.message.split("\n")[0] ?? error.message,
        hint: "fix the YAML syntax",
      })),
    );
  }
  return validateBundle(document.toJS(), file);
}

/** YAML in talosctl's key order and 4-space indent, so a kubeforge bundle reads like a talosctl one. */
export function stringifyBundle(bundle: SecretsBundle): string {
  const ordered = {
    cluster: { id: bundle.cluster.id, secret: bundle.cluster.secret },
    secrets: {
      bootstraptoken: bundle.secrets.bootstraptoken,
      ...(bundle.secrets.secretboxencryptionsecret !== undefined
        ? { secretboxencryptionsecret: bundle.secrets.secretboxencryptionsecret }
        : {}),
      ...(bundle.secrets.aescbcencryptionsecret !== undefined
        ? { aescbcencryptionsecret: bundle.secrets.aescbcencryptionsecret }
        : {}),
    },
    trustdinfo: { token: bundle.trustdinfo.token },
    certs: {
      etcd: { crt: bundle.certs.etcd.crt, key: bundle.certs.etcd.key },
      k8s: { crt: bundle.certs.k8s.crt, key: bundle.certs.k8s.key },
      k8saggregator: { crt: bundle.certs.k8saggregator.crt, key: bundle.certs.k8saggregator.key },
      k8sserviceaccount: { key: bundle.certs.k8sserviceaccount.key },
      os: { crt: bundle.certs.os.crt, key: bundle.certs.os.key },
    },
  };
  return stringifyGoYaml(ordered);
}

/** PEM text of one of the bundle's CAs. */
export function bundleCa(bundle: SecretsBundle, name: BundleCa): { crt: string; key: string } {
  return { crt: decodePem(bundle.certs[name].crt), key: decodePem(bundle.certs[name].key) };
}
