// Pinning a node's maintenance-mode certificate: apply-config --insecure sends the machine config (the cluster's CA
// keys included) to whatever answers at the node's address unless talosctl is given the certificate's fingerprint.
import { CliError } from "../errors.js";

/**
 * A fingerprint as talosctl's `--cert-fingerprint` takes it and Talos prints it on the console in maintenance mode
 * ("server certificate issued … fingerprint"): the standard base64 of the SHA-256 of the certificate's public key
 * (SubjectPublicKeyInfo), so 43 characters and one `=` (siderolabs/crypto x509.Fingerprint).
 */
const FINGERPRINT = /^[A-Za-z0-9+/]{43}=$/;

/**
 * `--cert-fingerprint <hostname>=<fingerprint>` entries by hostname (repeatable, also for one node: talosctl accepts any
 * of them). The fingerprint ends in `=`, so only the first `=` separates the hostname.
 */
export function parseCertFingerprints(
  entries: readonly string[],
  hostnames: readonly string[],
): Record<string, string[]> {
  const byHost: Record<string, string[]> = {};
  for (const entry of entries) {
    const at = entry.indexOf("=");
    const host = at > 0 ? entry.slice(0, at) : "";
    const fingerprint = at > 0 ? entry.slice(at + 1) : "";
    if (!hostnames.includes(host)) {
      throw new CliError(
        "E_USAGE",
        `--cert-fingerprint ${entry}: expected <hostname>=<fingerprint> with a hostname of the cluster`,
        `hostnames: ${hostnames.join(", ")}`,
      );
    }
    if (!FINGERPRINT.test(fingerprint)) {
      throw new CliError(
        "E_USAGE",
        `--cert-fingerprint ${entry}: ${fingerprint || "(empty)"} is not a certificate fingerprint`,
        "copy it from the node's console in maintenance mode: the line `server certificate issued` (fingerprint: 44 base64 characters ending in =)",
      );
    }
    byHost[host] = [...(byHost[host] ?? []), fingerprint];
  }
  return byHost;
}

/** The one-line warning before a config goes to a node whose certificate is not pinned. */
export function unpinnedWarning(hostname: string, address: string): string {
  return `warning: ${hostname} (${address}): the node's identity is not verified: its machine config, with the cluster's CA keys, goes to whatever answers at ${address}; pin it with --cert-fingerprint ${hostname}=<fingerprint> (shown on the node's console in maintenance mode)\n`;
}

/** Why `--require-fingerprint` refuses to run: the nodes still to be configured that have no fingerprint. */
export function unpinnedError(hostnames: readonly string[]): CliError {
  return new CliError(
    "E_USAGE",
    `--require-fingerprint: no --cert-fingerprint for ${hostnames.join(", ")}; nothing was applied`,
    `read each node's fingerprint on its console in maintenance mode (\`server certificate issued\`) and pass ${hostnames.map((host) => `--cert-fingerprint ${host}=<fingerprint>`).join(" ")}`,
  );
}
