// PEM and base64 conversions between Talos' encodings and what Node/OpenSSL read.
import { createPrivateKey, type KeyObject } from "node:crypto";

const TALOS_ED25519_LABEL = "ED25519 PRIVATE KEY";

/** Talos stores every crt/key as base64 of the whole PEM text. */
export function encodePem(pem: string): string {
  return Buffer.from(pem, "utf8").toString("base64");
}

export function decodePem(value: string): string {
  return Buffer.from(value, "base64").toString("utf8");
}

/** Node and OpenSSL only read Ed25519 keys under the standard PKCS#8 label. */
export function toStandardPem(pem: string): string {
  return pem.replaceAll(TALOS_ED25519_LABEL, "PRIVATE KEY");
}

/** Exports a private key with the PEM label talosctl writes (SEC1, PKCS#1, or relabelled PKCS#8 for Ed25519). */
export function exportTalosKey(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case "ec":
      return key.export({ type: "sec1", format: "pem" }).toString();
    case "rsa":
      return key.export({ type: "pkcs1", format: "pem" }).toString();
    case "ed25519":
      return key.export({ type: "pkcs8", format: "pem" }).toString().replaceAll("PRIVATE KEY", TALOS_ED25519_LABEL);
    default:
      throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
  }
}

export function importTalosKey(pem: string): KeyObject {
  return createPrivateKey(toStandardPem(pem));
}
