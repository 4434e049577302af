import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { talosConformance } from "../__fixtures__/paths.js";
import { schemaDirectory } from "./schema-files.js";
import { validateConfigDocuments, validateConfigText } from "./validate-config.js";

const golden = (name: string) => readFileSync(path.join(talosConformance, "golden", name), "utf8");

describe("validateConfigText", () => {
  it("accepts Talos' own gen config output once persist is removed, for every version", () => {
    for (const [minor, prefix] of [
      [12, "v1.12"],
      [13, "v1.13"],
      [14, "v1.14"],
    ] as const) {
      for (const role of ["controlplane", "worker"]) {
        const text = golden(`gen-config-${prefix}-base-${role}.yaml`).replace("persist: true\n", "");
        expect(validateConfigText(text, { minor, file: role }), `${prefix} ${role}`).toEqual([]);
      }
    }
  });

  it("explains the persist key that talosctl writes and the schema forbids", () => {
    const issues = validateConfigText(golden("gen-config-v1.13-base-controlplane.yaml"), {
      minor: 13,
      file: "cp.yaml",
    });
    expect(issues).toEqual([
      {
        file: "cp.yaml",
        path: "documents[0](v1alpha1).persist",
        message: "is not allowed by the schema",
        hint: "remove persist (Talos treats a missing persist as true)",
      },
    ]);
  });

  it("rejects the classic network layout on 1.13 and 1.14 documents on 1.13", () => {
    const issues = validateConfigDocuments(
      [
        { version: "v1alpha1", machine: { type: "controlplane", network: { interfaces: [] } } },
        { apiVersion: "v1alpha1", kind: "KubeProxyConfig", image: "x" },
      ],
      { minor: 13 },
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      "documents[0](v1alpha1).machine.network",
      "documents[1](KubeProxyConfig).kind",
    ]);
    expect(issues[1]?.message).toBe("KubeProxyConfig is not a document kind of Talos v1.13.9");
  });

  it("reports wrong types, missing required fields and duplicate documents", () => {
    const issues = validateConfigDocuments(
      [
        { version: "v1alpha1", machine: { type: "controlplane", install: { wipe: "yes" } } },
        { apiVersion: "v1alpha1", kind: "Layer2VIPConfig", link: "eth0" },
        { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "a" },
        { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "b" },
      ],
      { minor: 13, file: "n.yaml" },
    );
    expect(issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      "documents[0](v1alpha1).machine.install.wipe: must be boolean",
      "documents[1](Layer2VIPConfig): must have required property 'name'",
      "documents[3](HostnameConfig): appears twice",
    ]);
  });

  it("says when a file is not a machine config at all", () => {
    expect(validateConfigText("context: homelab\ncontexts: {}\n", { minor: 13, file: "talosconfig" })).toEqual([
      {
        file: "talosconfig",
        path: "documents[0](?)",
        message: "is not a Talos machine-config document (no version: v1alpha1 and no kind)",
        hint: "pass a machine config, not a talosconfig or a Kubernetes manifest",
      },
    ]);
  });

  it("reports YAML that is not a mapping", () => {
    expect(validateConfigText("- a\n", { minor: 13, file: "x" })[0]?.message).toBe("is not a mapping");
  });
});

describe("vendored schemas", () => {
  it("are identical to the official schemas in shared/conformance", () => {
    const ours = readdirSync(schemaDirectory())
      .filter((name) => name.endsWith(".json"))
      .sort();
    const theirs = readdirSync(path.join(talosConformance, "schemas")).sort();
    expect(ours).toEqual(theirs);
    for (const name of ours) {
      expect(readFileSync(path.join(schemaDirectory(), name), "utf8"), name).toBe(
        readFileSync(path.join(talosConformance, "schemas", name), "utf8"),
      );
    }
  });
});
