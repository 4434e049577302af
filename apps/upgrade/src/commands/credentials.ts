// Credentials from the cluster's own secrets bundle via @kubeforge/talos: an etcd client certificate issued
// from the bundle's etcd CA and a talosconfig with a fresh os:admin certificate, both valid for hours only
// (Talos cannot revoke a client certificate), written 0600 in a 0700 folder removed on every way out.
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Cluster } from "@kubeforge/config";
import * as sops from "@kubeforge/sops";
import {
  bundleCa,
  createSopsSealer,
  encodePem,
  issueCertificate,
  issueEtcdClientCertificate,
  readBundle,
  type SecretsBundle,
  TalosError,
  talosLayout,
} from "@kubeforge/talos";
import { UpgradeError } from "../errors.js";
import type { EtcdCredentials } from "../gates/etcd.js";
import { removeOnExit } from "./cleanup.js";

/** Lifetime of the certificates a run mints: long enough for a rolling upgrade, short enough to be harmless. */
export const RUN_CREDENTIAL_HOURS = 6;

/** Decrypts clusters/<name>/talos/talsecret.sops.yaml (identities from SOPS_AGE_KEY / SOPS_AGE_KEY_FILE). */
export async function readClusterBundle(cluster: Cluster, clusterFile: string): Promise<SecretsBundle> {
  const file = talosLayout(clusterFile).bundle;
  try {
    return await readBundle({ file, sealer: createSopsSealer({ sops, recipients: cluster.sops.ageRecipients }) });
  } catch (error) {
    if (error instanceof TalosError) {
      throw new UpgradeError("E_CONNECT", `cannot read the secrets bundle: ${error.message}`, {
        hint: "set SOPS_AGE_KEY_FILE, or pass --etcd-ca/--etcd-cert/--etcd-key and --talosconfig",
        cause: error,
      });
    }
    throw error;
  }
}

export async function issueEtcdCredentials(bundle: SecretsBundle): Promise<EtcdCredentials> {
  const issued = await issueEtcdClientCertificate(bundle, {
    commonName: "kubeforge-upgrade",
    validityDays: RUN_CREDENTIAL_HOURS / 24,
  });
  return { ca: issued.ca, cert: issued.crt, key: issued.key };
}

/** An os:admin client certificate valid for RUN_CREDENTIAL_HOURS (EKU clientAuth only, as apid requires). */
export async function issueRunAdminCertificate(bundle: SecretsBundle, now = new Date()) {
  return issueCertificate({
    ca: bundleCa(bundle, "os"),
    organizations: ["os:admin"],
    extendedKeyUsages: ["clientAuth"],
    validityDays: RUN_CREDENTIAL_HOURS / 24,
    now,
  });
}

/**
 * Writes a talosconfig for this run (a short-lived admin certificate) into a private 0700 folder as a 0600
 * file; the folder is removed by the returned dispose, at exit and on SIGINT/SIGTERM/SIGHUP.
 */
export async function writeRunTalosconfig(
  cluster: Cluster,
  bundle: SecretsBundle,
): Promise<{ file: string; dispose: () => Promise<void> }> {
  const issued = await issueRunAdminCertificate(bundle);
  const endpoints = cluster.nodes.filter((node) => node.controlPlane).map((node) => node.address);
  // JSON is YAML: talosctl reads it as its config.
  const text = `${JSON.stringify(
    {
      context: cluster.name,
      contexts: {
        [cluster.name]: { endpoints, ca: bundle.certs.os.crt, crt: encodePem(issued.crt), key: encodePem(issued.key) },
      },
    },
    null,
    2,
  )}\n`;
  const dir = await mkdtemp(path.join(tmpdir(), "kubeforge-upgrade-"));
  const remove = removeOnExit(dir);
  await chmod(dir, 0o700);
  const file = path.join(dir, "talosconfig");
  await writeFile(file, text, { mode: 0o600, flag: "wx" });
  return { file, dispose: async () => remove() };
}
