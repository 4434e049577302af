// updatekeys over files: the lock-out refusal (nothing written, every file named), --allow-lockout, and sops'
// "Is this okay? (y/n)" with an injected prompt.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { alice, bob } from "../../test/keys.js";
import { SopsError } from "../errors.js";
import { decryptText } from "../operations/decrypt.js";
import { encryptText } from "../operations/encrypt.js";
import { type UpdateKeysFilesOptions, updateKeysFiles } from "./updatekeys.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-updatekeys-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let dir: string;
const aliceOnly = { SOPS_AGE_KEY: alice.identity, HOME: "/nonexistent", XDG_CONFIG_HOME: "/nonexistent" };

/** A file under dir encrypted to alice. */
async function encrypted(name: string, text = "password: hunter2\n"): Promise<string> {
  const file = path.join(dir, name);
  writeFileSync(file, await encryptText(text, { format: "yaml", recipients: [alice.recipient] }));
  return file;
}

const rules = (a: string, b: string) =>
  writeFileSync(
    path.join(dir, ".sops.yaml"),
    `creation_rules:\n  - path_regex: a/.*\n    age: ${a}\n  - path_regex: b/.*\n    age: ${b}\n`,
  );

function run(files: string[], extra: Partial<UpdateKeysFilesOptions> = {}) {
  const lines: string[] = [];
  const written: string[] = [];
  const promise = updateKeysFiles({
    files,
    common: { cwd: dir, env: aliceOnly },
    report: (line) => lines.push(line),
    write: async (file, text) => {
      written.push(file);
      writeFileSync(file, text);
    },
    ...extra,
  });
  return { promise, lines, written };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(scratch, "case-"));
  for (const sub of ["a", "b"]) mkdirSync(path.join(dir, sub));
});

describe("updatekeys lock-out", () => {
  it("refuses to re-wrap a file to keys none of the identities at hand holds, naming the file, both keys and the fix", async () => {
    const file = await encrypted("a/s.yaml");
    const before = readFileSync(file);
    rules(bob.recipient, bob.recipient);
    const { promise, written } = run([file]);
    const error = (await promise.catch((e: unknown) => e)) as SopsError;
    expect(error).toBeInstanceOf(SopsError);
    expect(error.code).toBe("E_SOPS_LOCKOUT");
    expect(error.file).toBe(file);
    expect(error.message).toContain(`would be encrypted only to ${bob.recipient}`);
    expect(error.message).toContain(`opened with ${alice.recipient}`);
    expect(error.message).toContain("add your own key to the .sops.yaml rule");
    expect(error.message).toContain("SOPS_AGE_KEY_FILE");
    expect(error.message).toContain("--allow-lockout");
    // never an identity (secret key) in the message
    expect(error.message).not.toContain("AGE-SECRET-KEY");
    expect(written).toEqual([]);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("checks every file before writing any: one lock-out among several files writes none", async () => {
    const safe = await encrypted("a/one.yaml");
    const locked = await encrypted("b/two.yaml");
    const before = [readFileSync(safe), readFileSync(locked)];
    rules(`${alice.recipient},${bob.recipient}`, bob.recipient);
    const { promise, written } = run([safe, locked]);
    const error = (await promise.catch((e: unknown) => e)) as SopsError;
    expect(error.code).toBe("E_SOPS_LOCKOUT");
    expect(error.file).toBe(locked);
    expect(error.message).toContain(`would be encrypted only to ${bob.recipient}`);
    expect(error.message).toContain("nothing was written");
    expect(error.message).not.toContain(safe);
    expect(written).toEqual([]);
    expect(readFileSync(safe).equals(before[0]!)).toBe(true);
    expect(readFileSync(locked).equals(before[1]!)).toBe(true);
  });

  it("is allowed when the new key's identity is at hand, or with allowLockout", async () => {
    const file = await encrypted("a/s.yaml");
    rules(bob.recipient, bob.recipient);
    const both = { ...aliceOnly, SOPS_AGE_KEY: `${alice.identity}\n${bob.identity}` };
    const withBob = run([file], { common: { cwd: dir, env: both } });
    expect((await withBob.promise).updated).toEqual([file]);

    const other = await encrypted("b/t.yaml");
    const forced = run([other], { allowLockout: true });
    expect((await forced.promise).updated).toEqual([other]);
    expect(forced.lines.join("\n")).toContain("none of your identities will decrypt it afterwards");
    expect(await decryptText(readFileSync(other, "utf8"), { format: "yaml", identities: [bob.identity] })).toBe(
      "password: hunter2\n",
    );
    await expect(
      decryptText(readFileSync(other, "utf8"), { format: "yaml", identities: [alice.identity] }),
    ).rejects.toThrow(/no age identity/);
  });

  it("adding a key (keeping one's own) is not a lock-out", async () => {
    const file = await encrypted("a/s.yaml");
    rules(`${alice.recipient},${bob.recipient}`, alice.recipient);
    const { promise, lines } = run([file]);
    expect((await promise).updated).toEqual([file]);
    expect(lines).toContain(`+++ ${bob.recipient}`);
  });
});

describe("updatekeys asks like sops", () => {
  const answers = (...given: (string | undefined)[]) => {
    const asked: string[] = [];
    return {
      asked,
      confirm: async (question: string) => {
        asked.push(question);
        return given.shift();
      },
    };
  };

  it("writes on y, leaves the file unchanged on n (no error, as sops), asks again on anything else", async () => {
    const yes = await encrypted("a/yes.yaml");
    const no = await encrypted("a/no.yaml");
    const noBefore = readFileSync(no);
    rules(`${alice.recipient},${bob.recipient}`, alice.recipient);
    const prompt = answers("maybe", "y", "n");
    const { promise, lines } = run([yes, no], { confirm: prompt.confirm });
    const result = await promise;
    expect(prompt.asked).toEqual(["Is this okay? (y/n):", "Is this okay? (y/n):", "Is this okay? (y/n):"]);
    expect(result.updated).toEqual([yes]);
    expect(result.declined).toEqual([no]);
    expect(lines).toContain(`${no}: left unchanged`);
    expect(readFileSync(no).equals(noBefore)).toBe(true);
    expect(readFileSync(yes, "utf8")).toContain(bob.recipient);
  });

  it("the end of input is an error and writes nothing more", async () => {
    const file = await encrypted("a/s.yaml");
    const before = readFileSync(file);
    rules(`${alice.recipient},${bob.recipient}`, alice.recipient);
    const { promise, written } = run([file], { confirm: answers(undefined).confirm });
    await expect(promise).rejects.toMatchObject({ code: "E_SOPS_DECLINED" });
    expect(written).toEqual([]);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("does not ask when nothing changes", async () => {
    const file = await encrypted("a/s.yaml");
    rules(alice.recipient, alice.recipient);
    const prompt = answers();
    const { promise, lines } = run([file], { confirm: prompt.confirm });
    expect((await promise).upToDate).toEqual([file]);
    expect(prompt.asked).toEqual([]);
    expect(lines).toEqual([`${file}: already up to date`]);
  });
});
