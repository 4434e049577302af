import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alice, bob } from "../../test/keys.js";
import { defaultKeysFile, loadAgeIdentities, parseIdentities, recipientOf } from "./age.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-keys-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("age identities", () => {
  it("parses key files: comments, blank lines, several keys", () => {
    expect(parseIdentities(`# created: now\n# public key: x\n${alice.identity}\n\n${bob.identity}\r\n`)).toEqual([
      alice.identity,
      bob.identity,
    ]);
  });

  it("derives recipients", async () => {
    expect(await recipientOf(alice.identity)).toBe(alice.recipient);
  });

  it("combines SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD and keys.txt like sops", async () => {
    const home = mkdtempSync(path.join(scratch, "kubeforge-sops-keys-"));
    const file = path.join(home, "key.txt");
    writeFileSync(file, `${bob.identity}\n`);
    mkdirSync(path.join(home, "sops", "age"), { recursive: true });
    writeFileSync(path.join(home, "sops", "age", "keys.txt"), `${alice.identity}\n`);
    const env = { XDG_CONFIG_HOME: home, HOME: home };
    expect(defaultKeysFile(env)).toBe(path.join(home, "sops", "age", "keys.txt"));
    expect(await loadAgeIdentities(env)).toEqual([alice.identity]);
    expect(await loadAgeIdentities({ ...env, SOPS_AGE_KEY: bob.identity })).toEqual([bob.identity, alice.identity]);
    expect(await loadAgeIdentities({ ...env, SOPS_AGE_KEY_FILE: file })).toEqual([bob.identity, alice.identity]);
    expect((await loadAgeIdentities({ ...env, SOPS_AGE_KEY_CMD: `cat ${file}` })).sort()).toEqual(
      [bob.identity, alice.identity].sort(),
    );
    expect(await loadAgeIdentities({ HOME: "/nonexistent", XDG_CONFIG_HOME: "/nonexistent" })).toEqual([]);
    // issue 14 #6: a missing SOPS_AGE_KEY_FILE is noted, not fatal, when another source has a key
    expect(
      await loadAgeIdentities({
        ...env,
        SOPS_AGE_KEY: bob.identity,
        SOPS_AGE_KEY_FILE: path.join(home, "missing.txt"),
      }),
    ).toEqual([bob.identity, alice.identity]);
  });
});

describe("loadAgeIdentities error collection", () => {
  it("fails only when no source gave a key and one the user set is broken, naming it", async () => {
    await expect(
      loadAgeIdentities({
        HOME: "/nonexistent",
        XDG_CONFIG_HOME: "/nonexistent",
        SOPS_AGE_KEY_FILE: "/nonexistent/k.txt",
      }),
    ).rejects.toMatchObject({
      code: "E_SOPS_NO_IDENTITY",
      message: expect.stringContaining("SOPS_AGE_KEY_FILE=/nonexistent/k.txt (not found)"),
    });
    expect(
      await loadAgeIdentities({
        HOME: "/nonexistent",
        XDG_CONFIG_HOME: "/nonexistent",
        SOPS_AGE_KEY: alice.identity,
        SOPS_AGE_KEY_FILE: "/nonexistent/k.txt",
      }),
    ).toEqual([alice.identity]);
  });
});
