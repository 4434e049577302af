import { describe, expect, it } from "vitest";
import { TalosError } from "../errors.js";
import type { ConfigDocument } from "./documents.js";
import { applyPatches } from "./patches.js";

const base: ConfigDocument[] = [
  {
    version: "v1alpha1",
    machine: { certSANs: ["10.0.0.1"], kubelet: { extraArgs: { a: "1" } } },
    cluster: { network: { podSubnets: ["10.244.0.0/16"] } },
  },
  { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "node-1" },
  { apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name: "10.0.0.100", link: "eth0" },
];

describe("applyPatches", () => {
  it("merges maps, appends lists and replaces the subnet lists Talos replaces", () => {
    const [v1] = applyPatches(base, [
      {
        path: "talos.patches[0]",
        patch: {
          machine: { certSANs: ["api.example"], kubelet: { extraArgs: { b: "2" } } },
          cluster: { network: { podSubnets: ["10.10.0.0/16"] } },
        },
      },
    ]);
    expect(v1).toEqual({
      version: "v1alpha1",
      machine: { certSANs: ["10.0.0.1", "api.example"], kubelet: { extraArgs: { a: "1", b: "2" } } },
      cluster: { network: { podSubnets: ["10.10.0.0/16"] } },
    });
  });

  it("merges into, adds and deletes typed documents by kind and name", () => {
    const out = applyPatches(base, [
      { path: "p0", patch: { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "renamed" } },
      { path: "p1", patch: { apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name: "10.0.0.100", $patch: "delete" } },
      {
        path: "p2",
        patch: { apiVersion: "v1alpha1", kind: "UserVolumeConfig", name: "data", provisioning: { minSize: "10GiB" } },
      },
    ]);
    expect(out.map((document) => document.kind ?? "v1alpha1")).toEqual([
      "v1alpha1",
      "HostnameConfig",
      "UserVolumeConfig",
    ]);
    expect(out[1]).toMatchObject({ hostname: "renamed" });
  });

  it("removes a key with $patch: delete", () => {
    const [v1] = applyPatches(base, [{ path: "p", patch: { machine: { kubelet: { $patch: "delete" } } } }]);
    expect(v1?.machine).toEqual({ certSANs: ["10.0.0.1"] });
  });

  it("applies RFC 6902 operations to the v1alpha1 document, in order, after merges", () => {
    const out = applyPatches(base, [
      { path: "a", patch: { machine: { certSANs: ["x"] } } },
      {
        path: "b",
        patch: [
          { op: "replace", path: "/machine/certSANs", value: ["only"] },
          { op: "add", path: "/machine/kubelet/extraArgs/c", value: "3" },
        ],
      },
    ]);
    expect(out[0]?.machine).toEqual({ certSANs: ["only"], kubelet: { extraArgs: { a: "1", c: "3" } } });
    expect(base[0]?.machine).toEqual({ certSANs: ["10.0.0.1"], kubelet: { extraArgs: { a: "1" } } });
  });

  it("names the model path of a JSON patch that does not apply", () => {
    try {
      applyPatches(base, [
        {
          path: "nodes[1].patches[0]",
          patch: [
            { op: "add", path: "/machine/kubelet/extraArgs/x", value: "1" },
            { op: "remove", path: "/machine/nope" },
          ],
        },
      ]);
      throw new Error("expected an error");
    } catch (error) {
      expect(error).toBeInstanceOf(TalosError);
      expect((error as TalosError).code).toBe("E_PATCH_INVALID");
      expect((error as Error).message).toMatch(/^nodes\[1\]\.patches\[0\]\[1\]: cannot be applied/);
    }
  });

  it("merges admission plugins by name and replaces the audit policy, as Talos does", () => {
    const podSecurity = {
      name: "PodSecurity",
      configuration: {
        apiVersion: "pod-security.admission.config.k8s.io/v1alpha1",
        kind: "PodSecurityConfiguration",
        defaults: { enforce: "baseline" },
        exemptions: { namespaces: ["kube-system"], runtimeClasses: [], usernames: [] },
      },
    };
    const withApiServer: ConfigDocument[] = [
      {
        version: "v1alpha1",
        cluster: {
          apiServer: {
            admissionControl: [podSecurity],
            auditPolicy: { apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [{ level: "Metadata" }] },
          },
        },
      },
    ];
    // The example of Talos' patching guide: exempt one more namespace from Pod Security.
    const [v1] = applyPatches(withApiServer, [
      {
        path: "talos.patches[0]",
        patch: {
          cluster: {
            apiServer: {
              admissionControl: [
                { name: "PodSecurity", configuration: { exemptions: { namespaces: ["cubefs"] } } },
                { name: "EventRateLimit", configuration: { kind: "Configuration" } },
              ],
              auditPolicy: { apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [{ level: "None" }] },
            },
          },
        },
      },
    ]);
    expect(v1?.cluster).toEqual({
      apiServer: {
        admissionControl: [
          {
            ...podSecurity,
            configuration: {
              ...podSecurity.configuration,
              exemptions: { namespaces: ["kube-system", "cubefs"], runtimeClasses: [], usernames: [] },
            },
          },
          { name: "EventRateLimit", configuration: { kind: "Configuration" } },
        ],
        auditPolicy: { apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [{ level: "None" }] },
      },
    });
    const [removed] = applyPatches(withApiServer, [
      {
        path: "p",
        patch: { cluster: { apiServer: { admissionControl: [{ name: "PodSecurity", $patch: "delete" }] } } },
      },
    ]);
    expect(removed?.cluster).toMatchObject({ apiServer: { admissionControl: [] } });
  });

  it("refuses to delete the v1alpha1 document, as Talos does", () => {
    expect(() => applyPatches(base, [{ path: "nodes[0].patches[1]", patch: { $patch: "delete" } }])).toThrow(
      /^nodes\[0\]\.patches\[1\]: cannot delete the v1alpha1 document/,
    );
  });
});
