// kubeforge-sops updatekeys: the lock-out refusal (exit 40, nothing written), --allow-lockout, several files,
// and -y/--yes with stdin not a terminal (applies without asking, as before).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../test/cli.js";
import { alice, bob } from "../test/keys.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-cli-updatekeys-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let dir: string;
const env = { SOPS_AGE_KEY: alice.identity };
const rule = (age: string) => writeFileSync(path.join(dir, ".sops.yaml"), `creation_rules:\n  - age: ${age}\n`);

function encrypted(name: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, "password: hunter2\n");
  expect(runCli(["encrypt", "-i", file], { cwd: dir, env }).code).toBe(0);
  return file;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(scratch, "case-"));
  rule(alice.recipient);
});

describe("kubeforge-sops updatekeys", () => {
  it("refuses with exit 40 when the rule no longer names a key at hand, and changes no byte", () => {
    const one = encrypted("one.yaml");
    const two = encrypted("two.yaml");
    const before = [readFileSync(one), readFileSync(two)];
    rule(bob.recipient); // alice's key pasted over with bob's
    for (const args of [
      ["updatekeys", one],
      ["updatekeys", "-y", one, two],
      ["updatekeys", "--yes", one],
    ]) {
      const result = runCli(args, { cwd: dir, env });
      expect(result.code, result.stderr).toBe(40);
      expect(result.stderr).toContain("updatekeys would lock you out");
      expect(result.stderr).toContain(bob.recipient);
      expect(result.stderr).toContain(`opened with ${alice.recipient}`);
      expect(result.stderr).toContain("--allow-lockout");
      expect(result.stderr).not.toContain("keys updated");
    }
    expect(readFileSync(one).equals(before[0]!)).toBe(true);
    expect(readFileSync(two).equals(before[1]!)).toBe(true);
    expect(runCli(["decrypt", one], { env }).stdout.toString()).toBe("password: hunter2\n");
  });

  it("--allow-lockout re-wraps for someone else's key", () => {
    const file = encrypted("s.yaml");
    rule(bob.recipient);
    const result = runCli(["updatekeys", "--allow-lockout", file], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`${file}: keys updated`);
    expect(runCli(["decrypt", file], { env: { SOPS_AGE_KEY: bob.identity } }).stdout.toString()).toBe(
      "password: hunter2\n",
    );
    expect(runCli(["decrypt", file], { env }).code).toBe(128);
  });

  it("updates several files in one run; without -y and stdin not a terminal it does not ask", () => {
    const one = encrypted("one.yaml");
    const two = encrypted("two.yaml");
    rule(`${alice.recipient},${bob.recipient}`);
    const result = runCli(["updatekeys", one, two], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("Is this okay?");
    expect(result.stderr).toContain(`${one}: keys updated`);
    expect(result.stderr).toContain(`${two}: keys updated`);
    for (const file of [one, two])
      expect(runCli(["decrypt", file], { env: { SOPS_AGE_KEY: bob.identity } }).code).toBe(0);
  });
});
