import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { testBundle } from "../__fixtures__/bundle.js";
import { talosConformance } from "../__fixtures__/paths.js";
import { TalosError } from "../errors.js";
import { type SecretsBundle, secretsBundleSchema } from "./bundle.js";
import { decodePem } from "./pem.js";
import { parseBundle, stringifyBundle, validateBundle } from "./read-bundle.js";

let bundle: SecretsBundle;
beforeAll(async () => {
  bundle = await testBundle();
});

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

describe("secretsBundleSchema", () => {
  const pair = { crt: "Y3J0", key: "a2V5" };
  const shaped = (change: (value: Record<string, Record<string, unknown>>) => void) => {
    const value: Record<string, Record<string, unknown>> = {
      cluster: { id: "aWQ=", secret: "c2VjcmV0" },
      secrets: { bootstraptoken: "abcdef.0123456789abcdef", secretboxencryptionsecret: "AAAA" },
      trustdinfo: { token: "z9y8x7.a1b2c3d4e5f6g7h8" },
      certs: { etcd: pair, k8s: pair, k8saggregator: pair, k8sserviceaccount: { key: "a2V5" }, os: pair },
    };
    change(value);
    const parsed = secretsBundleSchema.safeParse(value);
    return parsed.success ? "ok" : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  };

  it("accepts tokens of exactly [a-z0-9]{6}.[a-z0-9]{16} and nothing around them", () => {
    expect(shaped(() => {})).toBe("ok");
    for (const token of [
      "Abcdef.0123456789abcdef",
      "abcdefg.0123456789abcdef",
      "abcde.0123456789abcdef",
      "abcdef.0123456789abcde",
      "abcdef.0123456789abcdef0",
      "abcdef0123456789abcdef",
      " abcdef.0123456789abcdef",
      "abcdef.0123456789abcdef\n",
    ]) {
      expect(
        shaped((value) => Object.assign(value.trustdinfo ?? {}, { token })),
        JSON.stringify(token),
      ).toEqual(["trustdinfo.token: must be a token like abcdef.0123456789abcdef"]);
    }
  });

  it("accepts standard and URL-safe base64 with up to two pads, and nothing else", () => {
    for (const secret of ["AAAA", "AAA=", "AA==", "-_+/aZ09", "0raF93qnkMvF-FZNuvyGozXNdLiT2FOWSlyBaW4PR-w="]) {
      expect(
        shaped((value) => Object.assign(value.cluster ?? {}, { secret })),
        secret,
      ).toBe("ok");
    }
    for (const secret of ["", "A===", "=AAA", "AA AA", "AAAA\n", " AAAA", "AA.A", "AA=A"]) {
      expect(
        shaped((value) => Object.assign(value.cluster ?? {}, { secret })),
        JSON.stringify(secret),
      ).toEqual(["cluster.secret: must be base64"]);
    }
  });

  it("needs exactly one encryption secret", () => {
    const both = shaped((value) => Object.assign(value.secrets ?? {}, { aescbcencryptionsecret: "BBBB" }));
    const neither = shaped((value) => {
      delete value.secrets?.secretboxencryptionsecret;
    });
    for (const result of [both, neither]) {
      expect(result).toEqual(["secrets: needs exactly one of secretboxencryptionsecret and aescbcencryptionsecret"]);
    }
    const aescbcOnly = shaped((value) => {
      delete value.secrets?.secretboxencryptionsecret;
      Object.assign(value.secrets ?? {}, { aescbcencryptionsecret: "BBBB" });
    });
    expect(aescbcOnly).toBe("ok");
  });

  it("refuses unknown fields and an empty cluster id", () => {
    expect(shaped((value) => Object.assign(value.certs ?? {}, { extra: pair }))).toEqual([
      'certs: Unrecognized key: "extra"',
    ]);
    expect(shaped((value) => Object.assign(value.cluster ?? {}, { id: "" }))).toHaveLength(1);
  });
});
