import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { testBundle } from "../__fixtures__/bundle.js";
import { talosConformance } from "../__fixtures__/paths.js";
import { TalosError } from "../errors.js";
import type { SecretsBundle } from "./bundle.js";
import { generateBundle } from "./generate-bundle.js";
import { decodePem, importTalosKey } from "./pem.js";
import { parseBundle, stringifyBundle, validateBundle } from "./read-bundle.js";

let bundle: SecretsBundle;
beforeAll(async () => {
  bundle = await testBundle();
});

const TEN_YEARS_MS = 3650 * 24 * 60 * 60 * 1000;

function certOf(value: string) {
  return new X509Certificate(decodePem(value));
}

function expectError(run: () => unknown, code: string, pattern: RegExp) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TalosError);
    expect((error as TalosError).code).toBe(code);
    expect((error as Error).message).toMatch(pattern);
    return;
  }
  throw new Error("expected an error");
}

describe("generateBundle", () => {
  it("writes the talosctl gen secrets layout, in talosctl's key order", () => {
    const text = stringifyBundle(bundle);
    const data = parse(text) as Record<string, Record<string, unknown>>;
    expect(Object.keys(data)).toEqual(["cluster", "secrets", "trustdinfo", "certs"]);
    expect(Object.keys(data.certs ?? {})).toEqual(["etcd", "k8s", "k8saggregator", "k8sserviceaccount", "os"]);
    expect(Object.keys(data.secrets ?? {})).toEqual(["bootstraptoken", "secretboxencryptionsecret"]);
    expect(text).toMatch(/^certs:\n {4}etcd:\n {8}crt: LS0tLS1CRUdJTi/m);
  });

  it("makes tokens and secrets in the documented formats", () => {
    expect(bundle.secrets.bootstraptoken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(bundle.trustdinfo.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(bundle.trustdinfo.token).not.toBe(bundle.secrets.bootstraptoken);
    expect(Buffer.from(bundle.cluster.secret, "base64")).toHaveLength(32);
    expect(Buffer.from(bundle.secrets.secretboxencryptionsecret ?? "", "base64")).toHaveLength(32);
    // Up to 1.13 the id is URL-safe base64 with padding.
    expect(bundle.cluster.id).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(Buffer.from(bundle.cluster.id, "base64url")).toHaveLength(32);
  });

  it("uses standard base64 for the cluster id from 1.14", async () => {
    const newer = await generateBundle({ talosVersion: "v1.14.0" });
    expect(newer.cluster.id).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it("issues ten-year CAs with Talos' algorithms, subjects and PEM labels", () => {
    const expected = {
      etcd: { type: "ec", subject: "O=etcd", label: "EC PRIVATE KEY" },
      k8s: { type: "ec", subject: "O=kubernetes", label: "EC PRIVATE KEY" },
      k8saggregator: { type: "ec", subject: "", label: "EC PRIVATE KEY" },
      os: { type: "ed25519", subject: "O=talos", label: "ED25519 PRIVATE KEY" },
    } as const;
    for (const [name, want] of Object.entries(expected)) {
      const pair = bundle.certs[name as keyof typeof expected];
      const cert = certOf(pair.crt);
      expect(cert.ca, name).toBe(true);
      expect(cert.subject ?? "", name).toBe(want.subject);
      expect(cert.issuer ?? "", name).toBe(want.subject);
      expect(cert.publicKey.asymmetricKeyType, name).toBe(want.type);
      expect(decodePem(pair.key), name).toMatch(new RegExp(`^-----BEGIN ${want.label}-----\n`));
      expect(cert.checkPrivateKey(importTalosKey(decodePem(pair.key))), name).toBe(true);
      const lifetime = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
      expect(lifetime, name).toBe(TEN_YEARS_MS);
      expect(cert.keyUsage ?? [], name).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
    }
    if (bundle.certs.etcd.crt)
      expect(certOf(bundle.certs.etcd.crt).publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
  });

  it("makes an RSA-4096 service-account key in PKCS#1", () => {
    const pem = decodePem(bundle.certs.k8sserviceaccount.key);
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(importTalosKey(pem).asymmetricKeyDetails?.modulusLength).toBe(4096);
  });
});

describe("parseBundle", () => {
  it("round-trips kubeforge's own output", () => {
    expect(parseBundle(stringifyBundle(bundle))).toEqual(bundle);
  });

  it("imports Talos' own test bundle (an older one, with an EC service-account key)", () => {
    const file = path.join(talosConformance, "golden/secrets-bundle-testfixture.yaml");
    const imported = parseBundle(readFileSync(file, "utf8"), file);
    expect(imported.trustdinfo.token).toBe("oamejv.9tk1nhuwnlc2nghf");
    expect(decodePem(imported.certs.os.key)).toContain("ED25519 PRIVATE KEY");
  });

  it("imports talhelper's 2-space YAML and the capitalised JSON form", () => {
    const twoSpace = stringifyBundle(bundle).replaceAll("    ", "  ");
    expect(parseBundle(twoSpace)).toEqual(bundle);
    const json = JSON.stringify({
      Cluster: { Id: bundle.cluster.id, Secret: bundle.cluster.secret },
      Secrets: {
        BootstrapToken: bundle.secrets.bootstraptoken,
        SecretboxEncryptionSecret: bundle.secrets.secretboxencryptionsecret,
      },
      TrustdInfo: { Token: bundle.trustdinfo.token },
      Certs: {
        Etcd: { Crt: bundle.certs.etcd.crt, Key: bundle.certs.etcd.key },
        K8s: { Crt: bundle.certs.k8s.crt, Key: bundle.certs.k8s.key },
        K8sAggregator: { Crt: bundle.certs.k8saggregator.crt, Key: bundle.certs.k8saggregator.key },
        K8sServiceAccount: { Key: bundle.certs.k8sserviceaccount.key },
        OS: { Crt: bundle.certs.os.crt, Key: bundle.certs.os.key },
      },
    });
    expect(parseBundle(json)).toEqual(bundle);
  });

  it("names the missing field and the file", () => {
    const { trustdinfo: _dropped, ...rest } = bundle;
    expectError(() => validateBundle(rest, "secrets.yaml"), "E_BUNDLE_INVALID", /secrets\.yaml: trustdinfo: /);
  });

  it("rejects a bad token, both or neither encryption secret", () => {
    expectError(
      () => validateBundle({ ...bundle, trustdinfo: { token: "nope" } }, "s.yaml"),
      "E_BUNDLE_INVALID",
      /trustdinfo\.token: must be a token/,
    );
    expectError(
      () => validateBundle({ ...bundle, secrets: { ...bundle.secrets, aescbcencryptionsecret: "AAAA" } }),
      "E_BUNDLE_INVALID",
      /exactly one of secretboxencryptionsecret and aescbcencryptionsecret/,
    );
  });

  it("rejects a key that does not belong to its certificate", () => {
    const swapped = {
      ...bundle,
      certs: { ...bundle.certs, k8s: { crt: bundle.certs.k8s.crt, key: bundle.certs.etcd.key } },
    };
    expectError(
      () => validateBundle(swapped, "s.yaml"),
      "E_BUNDLE_INVALID",
      /certs\.k8s\.key: does not match certs\.k8s\.crt/,
    );
  });

  it("tells apart a still-encrypted file and talenv placeholders", () => {
    expectError(
      () => parseBundle(`${stringifyBundle(bundle)}sops:\n    version: 3.9.0\n`, "t.yaml"),
      "E_BUNDLE_DECRYPT",
      /still SOPS-encrypted/,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal talenv placeholder
    const placeholder = stringifyBundle(bundle).replace(bundle.cluster.secret, "${CLUSTERSECRET}");
    expectError(
      () => parseBundle(placeholder, "t.yaml"),
      "E_BUNDLE_INVALID",
      /cluster\.secret: holds a \$\{VAR\} placeholder/,
    );
  });

  it("reports YAML syntax errors with a line", () => {
    expectError(() => parseBundle("cluster: [\n", "t.yaml"), "E_BUNDLE_INVALID", /t\.yaml: line \d+/);
  });
});
