// Client certificates for talking to a cluster's etcd directly (the upgrade app's health gates use this).
import type { SecretsBundle } from "./bundle.js";
import { decodePem } from "./pem.js";
import { type CertificateAndKey, issueCertificate } from "./pki.js";
import { bundleCa } from "./read-bundle.js";

export interface EtcdClientCertificate extends CertificateAndKey {
  /** PEM of the etcd CA, to verify the servers with. */
  readonly ca: string;
}

export interface IssueEtcdClientOptions {
  /** @default "kubeforge" */
  readonly commonName?: string;
  /** Short by default: these are minted per run, not stored. @default 1 */
  readonly validityDays?: number;
  readonly now?: Date;
}

/** Issues a PEM client certificate (EKU clientAuth) signed by the bundle's etcd CA. Keys use Node's standard labels. */
export async function issueEtcdClientCertificate(
  bundle: SecretsBundle,
  options: IssueEtcdClientOptions = {},
): Promise<EtcdClientCertificate> {
  const issued = await issueCertificate({
    ca: bundleCa(bundle, "etcd"),
    commonName: options.commonName ?? "kubeforge",
    extendedKeyUsages: ["clientAuth"],
    validityDays: options.validityDays ?? 1,
    now: options.now,
  });
  return { ...issued, ca: decodePem(bundle.certs.etcd.crt) };
}
