import { mkdtempSync, rmSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { TalosError } from "../errors.js";
import { writePlaintextOutput } from "./plaintext-output.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "talos-plain-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const files = [
  { name: "node-1.yaml", text: "machine: {}\n" },
  { name: "talosconfig", text: "context: x\n" },
];

async function repository(): Promise<{ root: string; out: string }> {
  const root = await mkdtemp(path.join(scratch, "talos-plain-"));
  await execa("git", ["init", "-q", root]);
  await mkdir(path.join(root, "clusters/x/talos"), { recursive: true });
  return { root, out: path.join(root, "clusters/x/talos/out") };
}

async function refusal(promise: Promise<unknown>): Promise<TalosError> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(TalosError);
  expect((error as TalosError).code).toBe("E_UNSAFE_PATH");
  return error as TalosError;
}

describe("writePlaintextOutput", () => {
  it("writes 0600 files and its own .gitignore of *, and says gitignored only when git agrees", async () => {
    const { out } = await repository();
    const result = await writePlaintextOutput({ directory: out, files });
    expect(result.gitignored).toBe(true);
    expect((await readdir(out)).sort()).toEqual([".gitignore", "node-1.yaml", "talosconfig"]);
    expect(await readFile(path.join(out, ".gitignore"), "utf8")).toMatch(/^\*$/m);
    expect((await stat(path.join(out, "node-1.yaml"))).mode & 0o777).toBe(0o600);
    expect((await stat(out)).mode & 0o777).toBe(0o700);
    // Rewriting keeps the mode and leaves no temp files.
    await writePlaintextOutput({ directory: out, files });
    expect((await readdir(out)).sort()).toEqual([".gitignore", "node-1.yaml", "talosconfig"]);
  });

  it("refuses a committed symlink talos/out -> ../plain-leak and writes nothing there", async () => {
    const { root, out } = await repository();
    const leak = path.join(root, "clusters/x/plain-leak");
    await mkdir(leak);
    await symlink("../plain-leak", out);
    const error = await refusal(writePlaintextOutput({ directory: out, files }));
    expect(error.message).toContain(`${out}: is a symlink`);
    expect(await readdir(leak)).toEqual([]);
  });

  it("refuses a symlinked parent inside the repository", async () => {
    const { root } = await repository();
    const elsewhere = await mkdtemp(path.join(scratch, "talos-plain-elsewhere-"));
    await symlink(elsewhere, path.join(root, "clusters/y"));
    const out = path.join(root, "clusters/y/talos/out");
    await refusal(writePlaintextOutput({ directory: out, files }));
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it("replaces a symlink planted at an output name instead of writing through it", async () => {
    const { root, out } = await repository();
    await mkdir(out, { mode: 0o700 });
    const victim = path.join(root, "victim");
    await writeFile(victim, "keep\n");
    await symlink(victim, path.join(out, "node-1.yaml"));
    await writePlaintextOutput({ directory: out, files });
    expect(await readFile(victim, "utf8")).toBe("keep\n");
    expect((await lstat(path.join(out, "node-1.yaml"))).isSymbolicLink()).toBe(false);
  });

  it("does not claim gitignored outside a repository, or when the folder is tracked", async () => {
    const plain = await mkdtemp(path.join(scratch, "talos-plain-nogit-"));
    const result = await writePlaintextOutput({ directory: path.join(plain, "talos/out"), files });
    expect(result.gitignored).toBe(false);
    const { root, out } = await repository();
    await writePlaintextOutput({ directory: out, files });
    await execa("git", ["-C", root, "add", "-f", "clusters/x/talos/out/node-1.yaml"]);
    expect((await writePlaintextOutput({ directory: out, files })).gitignored).toBe(false);
  });
});
