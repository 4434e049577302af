// The talosctl client config: os CA, an os:admin client certificate, node endpoints. Reused while still good.
import { X509Certificate } from "node:crypto";
import type { Cluster } from "@kubeforge/config";
import { parse } from "yaml";
import { stringifyGoYaml } from "./go-yaml-style.js";
import type { SecretsBundle } from "./secrets/bundle.js";
import { decodePem, encodePem, importTalosKey } from "./secrets/pem.js";
import { issueCertificate } from "./secrets/pki.js";
import { bundleCa } from "./secrets/read-bundle.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The Talos role the talosconfig's client certificate carries (as its subject Organization). */
const ADMIN_ROLE = "os:admin";
const CLIENT_AUTH_OID = "1.3.6.1.5.5.7.3.2";

/** Re-mint the admin certificate when it expires within this many days. */
export const TALOSCONFIG_RENEW_DAYS = 30;

export interface TalosconfigContext {
  readonly endpoints: string[];
  readonly ca: string;
  readonly crt: string;
  readonly key: string;
}

export interface Talosconfig {
  readonly context: string;
  readonly contexts: Record<string, TalosconfigContext>;
}

export interface RenderTalosconfigOptions {
  readonly cluster: Cluster;
  readonly bundle: SecretsBundle;
  /** The current talosconfig text (decrypted), whose admin certificate is kept while it is still good. */
  readonly previous?: string;
  /** @default new Date() */
  readonly now?: Date;
}

export interface RenderedTalosconfig {
  readonly text: string;
  /** Whether the previous admin certificate was kept. */
  readonly reused: boolean;
  /** Why a new certificate was issued (absent when reused). */
  readonly reason?: string;
  /** Expiry of the admin certificate in the output. */
  readonly expires: Date;
}

/** Why the previous certificate cannot be kept, or undefined when it can. */
function rejectPrevious(
  previous: string,
  options: RenderTalosconfigOptions,
  now: Date,
): { reason: string } | { context: TalosconfigContext; expires: Date } {
  let context: TalosconfigContext | undefined;
  try {
    context = (parse(previous) as Talosconfig | null)?.contexts?.[options.cluster.name];
  } catch {
    return { reason: "the previous talosconfig is not valid YAML" };
  }
  if (!context?.crt || !context.key || !context.ca)
    return { reason: `the previous talosconfig has no ${options.cluster.name} context` };
  if (context.ca !== options.bundle.certs.os.crt) return { reason: "the os CA changed" };
  try {
    const cert = new X509Certificate(decodePem(context.crt));
    const ca = new X509Certificate(decodePem(options.bundle.certs.os.crt));
    if (!cert.verify(ca.publicKey)) return { reason: "the admin certificate is not signed by the os CA" };
    if (!cert.checkPrivateKey(importTalosKey(decodePem(context.key))))
      return { reason: "the admin key does not match" };
    // apid authorises by the Organization roles and refuses a client certificate whose EKU is not exactly
    // clientAuth: a certificate that is wrong in either way would otherwise be kept for up to a year.
    if (cert.ca) return { reason: "the admin certificate is a CA certificate" };
    if (!cert.subject.split("\n").includes(`O=${ADMIN_ROLE}`))
      return { reason: `the previous certificate is not an ${ADMIN_ROLE} certificate (subject "${cert.subject}")` };
    const usages = cert.keyUsage ?? [];
    if (usages.length !== 1 || usages[0] !== CLIENT_AUTH_OID)
      return { reason: "the admin certificate's extended key usage is not exactly clientAuth" };
    const expires = new Date(cert.validTo);
    if (expires.getTime() - now.getTime() < TALOSCONFIG_RENEW_DAYS * DAY_MS) {
      return {
        reason: `the admin certificate expires within ${TALOSCONFIG_RENEW_DAYS} days (${expires.toISOString()})`,
      };
    }
    return { context, expires };
  } catch (cause) {
    return { reason: `the admin certificate cannot be read (${(cause as Error).message})` };
  }
}

/** Issues a 1-year `os:admin` client certificate (EKU clientAuth only, as apid requires) from the os CA. */
export async function issueAdminCertificate(bundle: SecretsBundle, now = new Date()) {
  return issueCertificate({
    ca: bundleCa(bundle, "os"),
    organizations: [ADMIN_ROLE],
    extendedKeyUsages: ["clientAuth"],
    validityDays: 365,
    now,
  });
}

export async function renderTalosconfig(options: RenderTalosconfigOptions): Promise<RenderedTalosconfig> {
  const now = options.now ?? new Date();
  const kept =
    options.previous === undefined
      ? { reason: "no previous talosconfig" }
      : rejectPrevious(options.previous, options, now);
  let crt: string;
  let key: string;
  let expires: Date;
  if ("context" in kept) {
    ({ crt, key } = kept.context);
    expires = kept.expires;
  } else {
    const issued = await issueAdminCertificate(options.bundle, now);
    crt = encodePem(issued.crt);
    key = encodePem(issued.key);
    expires = new Date(new X509Certificate(issued.crt).validTo);
  }
  const { cluster } = options;
  // Endpoints are the control-plane nodes themselves: the VIP only exists once etcd runs, and Talos docs
  // advise against using it for the Talos API.
  const endpoints = cluster.nodes.filter((node) => node.controlPlane).map((node) => node.address);
  const talosconfig: Talosconfig = {
    context: cluster.name,
    contexts: { [cluster.name]: { endpoints, ca: options.bundle.certs.os.crt, crt, key } },
  };
  return {
    text: stringifyGoYaml(talosconfig),
    reused: "context" in kept,
    ...("reason" in kept ? { reason: kept.reason } : {}),
    expires,
  };
}
