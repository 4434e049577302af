import { readFileSync } from "node:fs";
import path from "node:path";
import { type Cluster, loadCluster } from "@kubeforge/config";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { homelabClusterFile, talosConformance } from "../__fixtures__/paths.js";
import { renderMachineConfigs, stringifyMachineConfig } from "../config/render.js";
import { TalosError } from "../errors.js";
import { bundleFromMachineConfig, parseSecretsSource } from "./from-machine-config.js";
import { decodePem } from "./pem.js";
import { parseBundle, stringifyBundle } from "./read-bundle.js";

const goldenText = (name: string) => readFileSync(path.join(talosConformance, "golden", name), "utf8");
const goldenDocuments = (name: string) => parseAllDocuments(goldenText(name)).map((document) => document.toJS());

let homelab: Cluster;
beforeAll(async () => {
  homelab = (await loadCluster(homelabClusterFile)).cluster;
});

describe("bundleFromMachineConfig", () => {
  it("recovers talosctl's own bundle from its 1.12, 1.13 and 1.14 controlplane.yaml, all the same secrets", () => {
    const [v12, v13, v14] = ["v1.12", "v1.13", "v1.14"].map((line) =>
      parseSecretsSource(goldenText(`gen-config-${line}-base-controlplane.yaml`), `${line}.yaml`),
    );
    // talosctl generated the three goldens from one secrets bundle: every line must recover exactly it.
    expect(v13).toEqual(v12);
    expect(v14).toEqual(v13);
    // biome-ignore lint/suspicious/noExplicitAny: reads into plain parsed YAML
    const v1 = goldenDocuments("gen-config-v1.13-base-controlplane.yaml")[0] as Record<string, any>;
    expect(v13).toMatchObject({
      cluster: { id: v1.cluster.id, secret: v1.cluster.secret },
      secrets: { bootstraptoken: v1.cluster.token, secretboxencryptionsecret: v1.cluster.secretboxEncryptionSecret },
      trustdinfo: { token: v1.machine.token },
      certs: {
        os: v1.machine.ca,
        k8s: v1.cluster.ca,
        etcd: v1.cluster.etcd.ca,
        k8saggregator: v1.cluster.aggregatorCA,
        k8sserviceaccount: v1.cluster.serviceAccount,
      },
    });
  });

  it("round-trips talosctl's secrets fixture through our own configs of every line", () => {
    const original = parseBundle(goldenText("secrets-bundle-testfixture.yaml"));
    for (const version of ["v1.12.11", "v1.13.9", "v1.14.0"]) {
      const cluster = { ...homelab, talos: { ...homelab.talos, version } };
      const [controlPlane] = renderMachineConfigs(cluster, original);
      const recovered = parseSecretsSource(stringifyMachineConfig(controlPlane ?? { documents: [] }));
      expect(recovered, version).toEqual(original);
      expect(stringifyBundle(recovered)).toBe(stringifyBundle(original));
    }
  });

  it("refuses a worker config: it has no CA keys", () => {
    const worker = goldenDocuments("gen-config-v1.13-base-worker.yaml");
    expect(() => bundleFromMachineConfig(worker, "worker.yaml")).toThrow(/machine\.type: is worker/);
  });

  it("names each missing secret of a partial config", () => {
    // biome-ignore lint/suspicious/noExplicitAny: reads into plain parsed YAML
    const [v1] = goldenDocuments("gen-config-v1.13-base-controlplane.yaml") as Record<string, any>[];
    delete v1?.cluster.aggregatorCA;
    const error = (() => {
      try {
        bundleFromMachineConfig([v1], "cp.yaml");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TalosError);
    expect((error as Error).message).toContain("cp.yaml: certs.k8saggregator.crt: is not in the machine config");
  });
});

describe("parseSecretsSource", () => {
  it("reads a talosctl bundle as before", () => {
    const bundle = parseSecretsSource(goldenText("secrets-bundle-testfixture.yaml"));
    expect(decodePem(bundle.certs.os.crt)).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it("refuses anything else with one clear message, never a YAML-library error", () => {
    const check = (text: string, pattern: RegExp) => {
      try {
        parseSecretsSource(text, "x.yaml");
      } catch (error) {
        expect(error).toBeInstanceOf(TalosError);
        expect((error as TalosError).code).toBe("E_BUNDLE_INVALID");
        expect((error as Error).message).toMatch(pattern);
        return;
      }
      throw new Error("expected an error");
    };
    check(
      "apiVersion: v1\nkind: ConfigMap\n---\nkind: Secret\n",
      /neither a Talos secrets bundle .* nor a control-plane/,
    );
    check("hello: [", /x\.yaml: line 1: is not valid YAML or JSON/);
    check("just text", /neither a Talos secrets bundle/);
    expect(parse("a: 1")).toEqual({ a: 1 });
  });
});

// biome-ignore lint/suspicious/noExplicitAny: edits plain parsed YAML
type Docs = Record<string, any>[];
const v13Documents = () => goldenDocuments("gen-config-v1.13-base-controlplane.yaml") as Docs;
const v14Documents = () => goldenDocuments("gen-config-v1.14-base-controlplane.yaml") as Docs;
const byKind = (documents: Docs, kind: string) => documents.find((document) => document.kind === kind) ?? {};

function refusal(run: () => unknown): TalosError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TalosError);
    expect((error as TalosError).code).toBe("E_BUNDLE_INVALID");
    return error as TalosError;
  }
  throw new Error("expected an error");
}

describe("bundleFromMachineConfig, encryption secrets", () => {
  const AESCBC = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM=";

  it("keeps an aescbc secret of a v1alpha1 config (clusters from before secretbox)", () => {
    const [v1, ...rest] = v13Documents();
    delete v1?.cluster.secretboxEncryptionSecret;
    if (v1) v1.cluster.aescbcEncryptionSecret = AESCBC;
    const bundle = bundleFromMachineConfig([v1, ...rest]);
    expect(bundle.secrets).toEqual({ bootstraptoken: v1?.cluster.token, aescbcencryptionsecret: AESCBC });
  });

  it("reads the secretbox or the aescbc key of a 1.14 KubeEtcdEncryptionConfig", () => {
    const secretbox = v14Documents();
    expect(bundleFromMachineConfig(secretbox).secrets.secretboxencryptionsecret).toBe(
      byKind(secretbox, "KubeEtcdEncryptionConfig").config.resources[0].providers[0].secretbox.keys[0].secret,
    );
    const aescbc = v14Documents();
    byKind(aescbc, "KubeEtcdEncryptionConfig").config.resources[0].providers = [
      { identity: {} },
      { aescbc: { keys: [{ name: "key1", secret: AESCBC }] } },
    ];
    const bundle = bundleFromMachineConfig(aescbc);
    expect(bundle.secrets.aescbcencryptionsecret).toBe(AESCBC);
    expect(bundle.secrets.secretboxencryptionsecret).toBeUndefined();
  });

  it("names the missing encryption secret and the fix", () => {
    const documents = v14Documents().filter((document) => document.kind !== "KubeEtcdEncryptionConfig");
    const error = refusal(() => bundleFromMachineConfig(documents, "cp.yaml"));
    expect(error.message).toBe(
      "cp.yaml: no secrets bundle can be recovered from it:\n" +
        "  cp.yaml: secrets.secretboxencryptionsecret: no secretbox or aescbc encryption secret in the machine config — use the full config of a control-plane node",
    );
  });

  it("an encryption config without keys is as good as none", () => {
    const documents = v14Documents();
    byKind(documents, "KubeEtcdEncryptionConfig").config.resources = [{ providers: [{ secretbox: { keys: [] } }] }];
    expect(refusal(() => bundleFromMachineConfig(documents)).issues.map((issue) => issue.path)).toEqual([
      "secrets.secretboxencryptionsecret",
    ]);
  });
});

describe("bundleFromMachineConfig, what it refuses", () => {
  it("a worker config, saying where a control-plane config is found", () => {
    const error = refusal(() =>
      bundleFromMachineConfig(goldenDocuments("gen-config-v1.13-base-worker.yaml"), "w.yaml"),
    );
    expect(error.message).toBe(
      "w.yaml: machine.type: is worker: a worker config carries no CA keys, so no bundle can be recovered from it — use a control-plane node's config (talosctl -n <control-plane> get mc v1alpha1 -o yaml, or talos/out/<node>.yaml)",
    );
  });

  it("a config whose empty fields hold no secret, listing each with the fix (no file: 'machine config')", () => {
    const [v1, ...rest] = v13Documents();
    if (v1) {
      v1.cluster.id = "";
      v1.machine.ca = null;
      v1.machine.token = 123456;
    }
    const error = refusal(() => bundleFromMachineConfig([v1, ...rest]));
    expect(error.message).toBe(
      "machine config: no secrets bundle can be recovered from it:\n" +
        "  cluster.id: is not in the machine config — use the full config of a control-plane node, not a patch or a worker config\n" +
        "  trustdinfo.token: is not in the machine config — use the full config of a control-plane node, not a patch or a worker config\n" +
        "  certs.os.crt: is not in the machine config — use the full config of a control-plane node, not a patch or a worker config\n" +
        "  certs.os.key: is not in the machine config — use the full config of a control-plane node, not a patch or a worker config",
    );
  });

  it("a multi-document file whose Kube* documents lack the v1alpha1 one", () => {
    const documents = v14Documents().filter((document) => document.kind !== undefined);
    const paths = refusal(() => bundleFromMachineConfig([null, "text", ...documents])).issues.map(
      (issue) => issue.path,
    );
    expect(paths).toEqual([
      "secrets.bootstraptoken",
      "trustdinfo.token",
      "certs.etcd.crt",
      "certs.etcd.key",
      "certs.os.crt",
      "certs.os.key",
    ]);
  });

  it("skips a kindless document without machine before the v1alpha1 one", () => {
    expect(bundleFromMachineConfig([{ debug: true }, ...v13Documents()])).toEqual(
      parseSecretsSource(goldenText("gen-config-v1.13-base-controlplane.yaml")),
    );
  });

  it("a patch: a document with a kind is never the v1alpha1 one", () => {
    const [v1] = v13Documents();
    expect(refusal(() => bundleFromMachineConfig([{ ...v1, kind: "Patch" }])).issues).toHaveLength(14);
  });
});

describe("bundleFromMachineConfig, 1.14 documents", () => {
  it("adds the newline a Kube* PEM may lack, so the bundle equals talosctl's", () => {
    const reference = parseSecretsSource(goldenText("gen-config-v1.14-base-controlplane.yaml"));
    const documents = v14Documents();
    const apiCa = byKind(documents, "KubeAPIServerCAConfig");
    apiCa.issuingCA.cert = apiCa.issuingCA.cert.trimEnd();
    apiCa.issuingCA.key = apiCa.issuingCA.key.trimEnd();
    const recovered = bundleFromMachineConfig(documents);
    expect(recovered).toEqual(reference);
    expect(decodePem(recovered.certs.k8s.crt)).toMatch(/-----END CERTIFICATE-----\n$/);
  });

  it("takes the cluster id and secret from DiscoveryIdentityConfig", () => {
    const documents = v14Documents();
    const identity = byKind(documents, "DiscoveryIdentityConfig");
    identity.clusterID = "aWQtZnJvbS1pZGVudGl0eQ==";
    identity.clusterSecret = "c2VjcmV0LWZyb20taWRlbnRpdHk=";
    expect(bundleFromMachineConfig(documents).cluster).toEqual({
      id: "aWQtZnJvbS1pZGVudGl0eQ==",
      secret: "c2VjcmV0LWZyb20taWRlbnRpdHk=",
    });
  });
});

describe("parseSecretsSource, what it accepts and refuses", () => {
  it("reads talhelper's capitalised JSON bundle", () => {
    const bundle = parseBundle(goldenText("secrets-bundle-testfixture.yaml"));
    const json = JSON.stringify({
      Cluster: { Id: bundle.cluster.id, Secret: bundle.cluster.secret },
      Secrets: bundle.secrets,
      TrustdInfo: { Token: bundle.trustdinfo.token },
      Certs: bundle.certs,
    });
    expect(parseSecretsSource(json, "talsecret.json")).toEqual(bundle);
  });

  it("refuses an empty file, a null document and a kind with a machine field as neither bundle nor config", () => {
    for (const text of ["", "~\n", "kind: Patch\nmachine:\n    type: controlplane\n"]) {
      expect(refusal(() => parseSecretsSource(text, "x.yaml")).message, JSON.stringify(text)).toMatch(
        /^x\.yaml: is neither a Talos secrets bundle/,
      );
    }
  });

  it("refuses two documents even when the first is a bundle", () => {
    const error = refusal(() =>
      parseSecretsSource(`${goldenText("secrets-bundle-testfixture.yaml")}---\na: 1\n`, "s.yaml"),
    );
    expect(error.message).toBe(
      "s.yaml: is neither a Talos secrets bundle (no certs) nor a control-plane machine config (no machine) — pass a talosctl secrets.yaml, a talhelper talsecret.yaml or a control-plane machine config",
    );
  });

  it("names the line and the first line of the YAML error, with what to pass instead", () => {
    const error = refusal(() => parseSecretsSource("a: 1\nb: [\n", "x.yaml"));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      file: "x.yaml",
      path: expect.stringMatching(/^line \d+$/),
      hint: "pass a talosctl secrets.yaml, a talhelper talsecret.yaml or a control-plane machine config",
    });
    const [yamlError] = parseAllDocuments("a: 1\nb: [\n").flatMap((document) => document.errors);
    expect(error.issues[0]?.message).toBe(`is not valid YAML or JSON (${yamlError?.message.split("\n")[0]})`);
    expect(yamlError?.message).toContain("\n");
  });

  it("refuses duplicate keys in a machine config", () => {
    const text = goldenText("gen-config-v1.13-base-controlplane.yaml").replace(
      "    token: inn7ol.u4ehnti8qyls9ymo\n",
      "    token: inn7ol.u4ehnti8qyls9ymo\n    token: aaaaaa.bbbbbbbbbbbbbbbb\n",
    );
    expect(refusal(() => parseSecretsSource(text, "cp.yaml")).message).toMatch(
      /^cp\.yaml: line \d+: is not valid YAML or JSON \(.*unique/,
    );
  });
});

describe("bundleFromMachineConfig, more than one encryption key", () => {
  // Regression: the first key was kept and the others dropped, so configs rendered from the bundle lost the key
  // older Secrets in etcd are encrypted with.
  it("refuses a v1alpha1 config holding both a secretbox and an aescbc secret", () => {
    const [v1, ...rest] = v13Documents();
    if (v1) v1.cluster.aescbcEncryptionSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM=";
    const error = refusal(() => bundleFromMachineConfig([v1, ...rest], "cp.yaml"));
    expect(error.issues).toEqual([
      {
        file: "cp.yaml",
        path: "secrets",
        message:
          "the machine config holds 2 etcd encryption keys (secretbox, aescbc); a bundle holds exactly one, and dropping the others would leave Secrets encrypted with them unreadable",
        hint: "re-encrypt every Secret with the first key (kubectl get secrets -A -o json | kubectl replace -f -), remove the other keys from the config, then import it again",
      },
    ]);
  });

  it("refuses a 1.14 KubeEtcdEncryptionConfig with a second (older) key, and accepts one key listed twice", () => {
    const rotated = v14Documents();
    const providers = byKind(rotated, "KubeEtcdEncryptionConfig").config.resources[0].providers;
    providers[0].secretbox.keys.push({ name: "key1", secret: "b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleTE=" });
    expect(refusal(() => bundleFromMachineConfig(rotated)).issues.map((issue) => issue.message)).toEqual([
      expect.stringMatching(/^the machine config holds 2 etcd encryption keys \(secretbox, secretbox\);/),
    ]);
    const twice = v14Documents();
    const config = byKind(twice, "KubeEtcdEncryptionConfig").config;
    config.resources.push({ resources: ["configmaps"], providers: structuredClone(config.resources[0].providers) });
    expect(bundleFromMachineConfig(twice)).toEqual(
      parseSecretsSource(goldenText("gen-config-v1.14-base-controlplane.yaml")),
    );
  });
});
