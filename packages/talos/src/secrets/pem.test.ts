// Talos' key encodings: the PEM labels talosctl writes, and what Node/OpenSSL need to read them back.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodePem, encodePem, exportTalosKey, importTalosKey, toStandardPem } from "./pem.js";

describe("exportTalosKey / importTalosKey", () => {
  it.each([
    ["ec", generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey, "EC PRIVATE KEY"],
    ["rsa", generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey, "RSA PRIVATE KEY"],
    ["ed25519", generateKeyPairSync("ed25519").privateKey, "ED25519 PRIVATE KEY"],
  ] as const)("writes %s keys under talosctl's label and reads them back", (_type, key, label) => {
    const pem = exportTalosKey(key);
    expect(pem).toMatch(new RegExp(`^-----BEGIN ${label}-----\\n[\\s\\S]+\\n-----END ${label}-----\\n$`));
    expect(importTalosKey(pem).equals(key)).toBe(true);
  });

  it("refuses key types Talos does not use, naming the type", () => {
    expect(() => exportTalosKey(generateKeyPairSync("x25519").privateKey)).toThrow(/^unsupported key type x25519$/);
  });
});

describe("toStandardPem", () => {
  it("relabels every Ed25519 line to PKCS#8 and leaves other PEMs alone", () => {
    const talos = "-----BEGIN ED25519 PRIVATE KEY-----\nAAAA\n-----END ED25519 PRIVATE KEY-----\n";
    expect(toStandardPem(talos)).toBe("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    const ec = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
    expect(toStandardPem(ec)).toBe(ec);
  });
});

describe("encodePem / decodePem", () => {
  it("is base64 of the whole PEM text, as talosctl writes crt and key", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    expect(encodePem(pem)).toBe(Buffer.from(pem).toString("base64"));
    expect(decodePem(encodePem(pem))).toBe(pem);
  });
});
