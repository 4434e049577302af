import { describe, expect, it } from "vitest";
import { findPlaintextSecrets } from "./plaintext-secrets.js";

describe("findPlaintextSecrets", () => {
  it("reports plaintext Secrets and passes encrypted ones and other kinds", () => {
    const findings = findPlaintextSecrets([
      {
        path: "a/secret.yaml",
        content: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n",
      },
      {
        path: "a/multi.yaml",
        content:
          "kind: ConfigMap\ndata:\n  a: b\n---\nkind: Secret\nmetadata:\n  name: tls\ndata:\n  tls.key: AAAA\n  empty: ''\n",
      },
      {
        path: "a/ok.sops.yaml",
        content:
          "kind: Secret\nmetadata:\n  name: ok\nstringData:\n  p: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n",
      },
      { path: "a/readme.md", content: "kind: Secret\nstringData: {a: b}\n" },
      { path: "a/broken.yaml", content: "kind: [" },
    ]);
    expect(findings).toEqual([
      expect.objectContaining({
        file: "a/secret.yaml",
        path: "stringData",
        message: "Secret db has 1 plaintext stringData value(s): password",
      }),
      expect.objectContaining({
        file: "a/multi.yaml",
        path: "documents[1].data",
        message: "Secret tls has 1 plaintext data value(s): tls.key",
      }),
    ]);
    expect(findings[0]?.hint).toContain("kubeforge-sops encrypt");
  });
});
