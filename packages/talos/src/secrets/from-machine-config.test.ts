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
