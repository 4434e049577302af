// What an imported bundle must satisfy before kubeforge trusts it: every refusal names the file, the path in
// the bundle and the fix, and nothing that is not a usable CA/key pair gets through.
import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { testBundle } from "../__fixtures__/bundle.js";
import { TalosError } from "../errors.js";
import type { SecretsBundle } from "./bundle.js";
import { decodePem, encodePem } from "./pem.js";
import { issueCertificate } from "./pki.js";
import { bundleCa, checkBundleKeys, parseBundle, stringifyBundle, validateBundle } from "./read-bundle.js";

let bundle: SecretsBundle;
beforeAll(async () => {
  bundle = await testBundle();
}, 120_000);

function caught(run: () => unknown): TalosError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TalosError);
    return error as TalosError;
  }
  throw new Error("expected an error");
}

const withCerts = (certs: Partial<SecretsBundle["certs"]>): SecretsBundle => ({
  ...bundle,
  certs: { ...bundle.certs, ...certs },
});

describe("validateBundle", () => {
  it("refuses an empty document or a scalar with a bundle error, not a TypeError", () => {
    for (const value of [null, "secrets", 42]) {
      const error = caught(() => validateBundle(value, "secrets.yaml"));
      expect(error.code).toBe("E_BUNDLE_INVALID");
      expect(error.message).toMatch(/^secrets\.yaml is not a valid Talos secrets bundle:\n/);
      expect(error.message).toContain("the file must be a talosctl gen secrets bundle");
    }
  });

  it("names 'bundle' when there is no file", () => {
    const { cluster: _dropped, ...rest } = bundle;
    expect(caught(() => validateBundle(rest)).message).toMatch(
      /^bundle is not a valid Talos secrets bundle:\n {2}cluster: /,
    );
  });

  it("says which section or field is null or missing instead of failing on it", () => {
    const error = caught(() =>
      validateBundle({ ...bundle, trustdinfo: null, cluster: { ...bundle.cluster, id: undefined } }, "s.yaml"),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(["cluster.id", "trustdinfo"]);
  });

  it("says a section that is a list is not a mapping", () => {
    const error = caught(() => validateBundle({ ...bundle, cluster: [bundle.cluster.id] }, "s.yaml"));
    expect(error.issues).toEqual([
      expect.objectContaining({
        file: "s.yaml",
        path: "cluster",
        message: expect.stringMatching(/expected object, received array/),
      }),
    ]);
  });

  it("refuses a still-encrypted file whatever the case of its keys, with the fix", () => {
    const error = caught(() => validateBundle({ ...bundle, SOPS: { version: "3.9.0" } }, "s.yaml"));
    expect(error.code).toBe("E_BUNDLE_DECRYPT");
    expect(error.message).toBe(
      "s.yaml: sops: is still SOPS-encrypted — decrypt it first (readBundle does this for you)",
    );
  });

  it("finds a talenv placeholder at any depth and says how to fix it", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: talhelper's literal ${VAR} syntax
    const placeholder = "${OS_CA_KEY_2}";
    const error = caught(() => validateBundle(withCerts({ os: { ...bundle.certs.os, key: placeholder } }), "t.yaml"));
    expect(error.code).toBe("E_BUNDLE_INVALID");
    expect(error.message).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: names talhelper's literal ${VAR} syntax
      "t.yaml: certs.os.key: holds a ${VAR} placeholder — substitute the talenv values before importing (kubeforge does not expand variables)",
    );
  });

  it("treats a dollar sign that is not a talenv placeholder as plain bad input", () => {
    const error = caught(() => validateBundle({ ...bundle, cluster: { ...bundle.cluster, secret: "$ {X}" } }));
    expect(error.message).toContain("cluster.secret: must be base64");
    expect(error.message).not.toContain("placeholder");
  });

  it("refuses a leaf certificate in place of a CA, naming the CA and the fix", async () => {
    const leaf = await issueCertificate({ ca: bundleCa(bundle, "os"), extendedKeyUsages: ["clientAuth"] });
    const error = caught(() =>
      validateBundle(withCerts({ os: { crt: encodePem(leaf.crt), key: encodePem(leaf.key) } }), "s.yaml"),
    );
    expect(error.message).toBe(
      "s.yaml has unusable keys:\n  s.yaml: certs.os.crt: is not a CA certificate — import the CA, not a leaf",
    );
  });

  it("reports every unusable CA and the service-account key at once", () => {
    const garbage = encodePem("not a pem\n");
    const error = caught(() =>
      validateBundle(
        withCerts({
          etcd: { crt: garbage, key: bundle.certs.etcd.key },
          k8s: { crt: bundle.certs.k8s.crt, key: bundle.certs.etcd.key },
          k8sserviceaccount: { key: garbage },
        }),
      ),
    );
    expect(error.message).toMatch(/^bundle has unusable keys:\n/);
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "certs.etcd",
      "certs.k8s.key",
      "certs.k8sserviceaccount.key",
    ]);
    const [etcd, k8s, serviceAccount] = error.issues;
    expect(etcd?.message).toMatch(/^cannot be read \(.+\)$/);
    expect(etcd?.hint).toBe("each crt/key must be base64 of a PEM certificate/private key");
    expect(k8s?.message).toBe("does not match certs.k8s.crt");
    expect(k8s?.hint).toBe("restore the matching key");
    expect(serviceAccount?.message).toMatch(/^cannot be read \(.+\)$/);
    expect(serviceAccount?.hint).toBe("must be base64 of a PEM private key");
  });

  it("finds nothing wrong with a generated bundle", () => {
    expect(checkBundleKeys(bundle, "s.yaml")).toEqual([]);
  });
});

describe("parseBundle", () => {
  it("refuses duplicate keys, so a second CA cannot silently replace the first", () => {
    const text = stringifyBundle(bundle).replace(
      /^( {4}os:\n {8}crt: .*\n)/m,
      `$1        crt: ${bundle.certs.etcd.crt}\n`,
    );
    const error = caught(() => parseBundle(text, "s.yaml"));
    expect(error.code).toBe("E_BUNDLE_INVALID");
    expect(error.issues[0]).toMatchObject({
      file: "s.yaml",
      path: expect.stringMatching(/^line \d+$/),
      hint: "fix the YAML syntax",
    });
    expect(error.issues[0]?.message).toMatch(/unique/);
    expect(error.issues[0]?.message).not.toContain("\n");
  });

  it("refuses an empty file", () => {
    expect(caught(() => parseBundle("", "s.yaml")).message).toMatch(/^s\.yaml is not a valid Talos secrets bundle:/);
  });
});

describe("stringifyBundle", () => {
  it("keeps an aescbc secret (bundles of older clusters) and round-trips it", () => {
    const { secretboxencryptionsecret: _secretbox, ...secrets } = bundle.secrets;
    const older: SecretsBundle = {
      ...bundle,
      secrets: { ...secrets, aescbcencryptionsecret: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx" },
    };
    const text = stringifyBundle(older);
    expect(text).toContain(
      `secrets:\n    bootstraptoken: ${bundle.secrets.bootstraptoken}\n    aescbcencryptionsecret: c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAx\ntrustdinfo:`,
    );
    expect(parseBundle(text)).toEqual(older);
  });
});

describe("bundleCa", () => {
  it("returns the PEM certificate and key of the named CA", () => {
    for (const name of ["etcd", "k8s", "k8saggregator", "os"] as const) {
      const ca = bundleCa(bundle, name);
      expect(ca, name).toEqual({ crt: decodePem(bundle.certs[name].crt), key: decodePem(bundle.certs[name].key) });
      expect(new X509Certificate(ca.crt).ca, name).toBe(true);
    }
  });
});
