import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { fixtureInput } from "../test/fixture-cluster.js";
import { buildCluster } from "./build.js";
import { PlaintextSecretError } from "./secrets.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-secrets-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const demoSecret = readFileSync(
  path.resolve(import.meta.dirname, "../../../clusters/homelab/secrets/demo-credentials.sops.yaml"),
  "utf8",
);

function clusterDir(): string {
  const dir = mkdtempSync(path.join(scratch, "kubeforge-secrets-"));
  writeFileSync(path.join(dir, "cluster.yaml"), stringify(fixtureInput()));
  mkdirSync(path.join(dir, "secrets"));
  return dir;
}

describe("user secrets", () => {
  it("copies *.sops.yaml unchanged into infrastructure/secrets and lists them; removes them when the source goes", async () => {
    const dir = clusterDir();
    writeFileSync(path.join(dir, "secrets/db.sops.yaml"), demoSecret);
    writeFileSync(path.join(dir, "secrets/notes.txt"), "not a secret\n");
    const result = await buildCluster({ cluster: path.join(dir, "cluster.yaml") });
    const copied = path.join(dir, "flux/infrastructure/secrets/db.sops.yaml");
    expect(readFileSync(copied, "utf8")).toBe(demoSecret);
    expect(
      parse(readFileSync(path.join(dir, "flux/infrastructure/secrets/kustomization.yaml"), "utf8")).resources,
    ).toEqual(["db.sops.yaml"]);
    expect(parse(readFileSync(path.join(dir, "flux/infrastructure/kustomization.yaml"), "utf8")).resources).toContain(
      "secrets",
    );
    expect(result.warnings.map((warning) => `${warning.path}: ${warning.message}`)).toEqual([
      "secrets/notes.txt: is not copied into the Flux tree",
    ]);

    rmSync(path.join(dir, "secrets/db.sops.yaml"));
    const second = await buildCluster({ cluster: path.join(dir, "cluster.yaml") });
    expect(second.removed).toContain("infrastructure/secrets/db.sops.yaml");
    expect(existsSync(copied)).toBe(false);
  });

  it("refuses a plaintext Secret and leaves the previous tree intact", async () => {
    const dir = clusterDir();
    await buildCluster({ cluster: path.join(dir, "cluster.yaml") });
    const before = readFileSync(path.join(dir, "flux/infrastructure/kustomization.yaml"), "utf8");
    const plaintext = stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db", namespace: "ns-1" },
      stringData: { password: "hunter2" },
    });
    writeFileSync(path.join(dir, "secrets/db.sops.yaml"), plaintext);
    const error = await buildCluster({ cluster: path.join(dir, "cluster.yaml") }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlaintextSecretError);
    expect((error as Error).message).toContain(
      `${path.join(dir, "secrets/db.sops.yaml")}: has no sops metadata — encrypt it: pnpm exec kubeforge secrets encrypt -i`,
    );
    expect(readFileSync(path.join(dir, "flux/infrastructure/kustomization.yaml"), "utf8")).toBe(before);
    expect(existsSync(path.join(dir, "flux/infrastructure/secrets"))).toBe(false);
  });
});

describe("user secrets with plaintext values inside SOPS files", () => {
  it("refuses a Secret whose `stringdata:` (a field Secrets do not have) no sops rule encrypted", async () => {
    // from a review: encrypted with ^(data|stringData)$, nothing was encrypted, and build published it to flux/
    const dir = clusterDir();
    const typo = demoSecret.replace(/^stringData:\n[\s\S]*?(?=^sops:)/m, "stringdata:\n  password: hunter2\n");
    expect(typo).toContain("stringdata:\n  password: hunter2\nsops:");
    writeFileSync(path.join(dir, "secrets/typo.sops.yaml"), typo);
    const error = await buildCluster({ cluster: path.join(dir, "cluster.yaml") }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlaintextSecretError);
    expect((error as Error).message).toContain(
      "stringdata.password: is plaintext but must be encrypted (Secret field stringdata, which a Secret does not have (did you mean stringData?))",
    );
    expect(existsSync(path.join(dir, "flux/infrastructure/secrets/typo.sops.yaml"))).toBe(false);
  });

  it("refuses stringData.db-password: hunter2 added to an encrypted Secret, and copies nothing", async () => {
    const dir = clusterDir();
    const tampered = demoSecret.replace(/^stringData:\n/m, "stringData:\n  db-password: hunter2\n");
    expect(tampered).not.toBe(demoSecret);
    writeFileSync(path.join(dir, "secrets/db.sops.yaml"), tampered);
    const error = await buildCluster({ cluster: path.join(dir, "cluster.yaml") }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlaintextSecretError);
    expect((error as Error).message).toContain(
      `${path.join(dir, "secrets/db.sops.yaml")}: stringData.db-password: is plaintext but must be encrypted (Secret stringData)`,
    );
    expect(existsSync(path.join(dir, "flux/infrastructure/secrets/db.sops.yaml"))).toBe(false);
  });

  it("refuses a plaintext value the file's own encrypted_regex selects", async () => {
    const dir = clusterDir();
    const tampered = demoSecret.replace(/^data:\n/m, "data:\n  extra: aHVudGVyMg==\n");
    writeFileSync(path.join(dir, "secrets/db.sops.yaml"), tampered);
    await expect(buildCluster({ cluster: path.join(dir, "cluster.yaml") })).rejects.toThrow(
      "data.extra: is plaintext but must be encrypted",
    );
  });

  it("refuses a symlink in secrets/", async () => {
    const dir = clusterDir();
    const outside = path.join(dir, "elsewhere.sops.yaml");
    writeFileSync(outside, demoSecret);
    symlinkSync(outside, path.join(dir, "secrets/db.sops.yaml"));
    await expect(buildCluster({ cluster: path.join(dir, "cluster.yaml") })).rejects.toThrow(
      "db.sops.yaml: is a symlink or not a regular file",
    );
  });
});
