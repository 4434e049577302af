// Credentials from the cluster's own secrets bundle via @kubeforge/talos: an etcd client certificate issued
// from the bundle's etcd CA (minted per run, valid one day) and a talosconfig with a fresh admin certificate.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Cluster } from "@kubeforge/config";
import * as sops from "@kubeforge/sops";
import {
  createSopsSealer,
  issueEtcdClientCertificate,
  readBundle,
  renderTalosconfig,
  type SecretsBundle,
  TalosError,
  talosLayout,
} from "@kubeforge/talos";
import { UpgradeError } from "../errors.js";
import type { EtcdCredentials } from "../gates/etcd.js";

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
  const issued = await issueEtcdClientCertificate(bundle, { commonName: "kubeforge-upgrade" });
  return { ca: issued.ca, cert: issued.crt, key: issued.key };
}

/** Writes a talosconfig for this run into a private temp folder; the returned dispose removes it. */
export async function writeRunTalosconfig(
  cluster: Cluster,
  bundle: SecretsBundle,
): Promise<{ file: string; dispose: () => Promise<void> }> {
  const rendered = await renderTalosconfig({ cluster, bundle });
  const dir = await mkdtemp(path.join(tmpdir(), "kubeforge-upgrade-"));
  const file = path.join(dir, "talosconfig");
  await writeFile(file, rendered.text, { mode: 0o600 });
  return { file, dispose: () => rm(dir, { recursive: true, force: true }) };
}
