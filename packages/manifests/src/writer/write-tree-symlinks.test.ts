// The writer never follows a symlink inside its output root: planted links at the temporary name, at a
// file, at a parent folder and at the root itself are refused (or made harmless) and nothing outside
// the root is written. Modes of existing files are kept; new files get 0644 whatever the umask.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { header } from "../render/serialize.js";
import type { TreeFile } from "../render/tree.js";
import { UnsafePathError } from "./errors.js";
import { writeTree } from "./write-tree.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-writer-links-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ours = (body: string) => `${header("test")}${body}`;
const tree = (files: Record<string, string>): TreeFile[] =>
  Object.entries(files).map(([p, content]) => ({ path: p, content }));

/** An output root beside a "victim" folder holding a 0600 file the build must never touch. */
function setUp() {
  const base = mkdtempSync(path.join(scratch, "kubeforge-writer-links-"));
  const root = path.join(base, "flux");
  const victimDir = path.join(base, "victim");
  mkdirSync(root);
  mkdirSync(victimDir);
  const victim = path.join(victimDir, "id_ed25519");
  writeFileSync(victim, "PRIVATE\n", { mode: 0o600 });
  chmodSync(victim, 0o600);
  const untouched = () => {
    expect(readFileSync(victim, "utf8")).toBe("PRIVATE\n");
    expect(statSync(victim).mode & 0o777).toBe(0o600);
    expect(readdirSync(victimDir)).toEqual(["id_ed25519"]);
  };
  return { base, root, victim, victimDir, untouched };
}

describe("writeTree and symlinks", () => {
  it("is not redirected by a link planted at the old predictable temporary name", async () => {
    const { root, victim, untouched } = setUp();
    await writeTree(root, tree({ "a.yaml": ours("a: 1\n") }));
    symlinkSync(victim, path.join(root, `a.yaml.${process.pid}.tmp`));
    await writeTree(root, tree({ "a.yaml": ours("a: 2\n") }));
    untouched();
    expect(readFileSync(path.join(root, "a.yaml"), "utf8")).toBe(ours("a: 2\n"));
  });

  it("refuses a target file that is a symlink, and writes nothing", async () => {
    const { root, victim, untouched } = setUp();
    symlinkSync(victim, path.join(root, "a.yaml"));
    const error = await writeTree(root, tree({ "b.yaml": ours("b\n"), "a.yaml": ours("a\n") })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnsafePathError);
    expect((error as Error).message).toContain(`${path.join(root, "a.yaml")}: is a symlink`);
    untouched();
    expect(readdirSync(root)).toEqual(["a.yaml"]);
  });

  it("refuses a parent folder that is a symlink", async () => {
    const { root, victimDir, untouched } = setUp();
    symlinkSync(victimDir, path.join(root, "sub"));
    const error = await writeTree(root, tree({ "sub/id_ed25519": ours("x\n"), "sub/new.yaml": ours("y\n") })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnsafePathError);
    expect((error as Error).message).toContain(`${path.join(root, "sub")}: is a symlink`);
    untouched();
  });

  it("refuses a symlinked output root", async () => {
    const { base, victimDir, untouched } = setUp();
    const root = path.join(base, "linked-flux");
    symlinkSync(victimDir, root);
    const error = await writeTree(root, tree({ id_ed25519: ours("x\n"), "new.yaml": ours("y\n") })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnsafePathError);
    expect((error as Error).message).toContain(`${root}: is a symlink`);
    untouched();
  });

  it("refuses a path that leaves the output folder", async () => {
    const { root, untouched } = setUp();
    await expect(writeTree(root, tree({ "../victim/id_ed25519": ours("x\n") }))).rejects.toThrow(
      "leaves the output folder",
    );
    untouched();
  });

  it("keeps the mode of a file it rewrites and sets 0644 on new files whatever the umask", async () => {
    const { root } = setUp();
    await writeTree(root, tree({ "a.yaml": ours("a: 1\n") }));
    chmodSync(path.join(root, "a.yaml"), 0o600);
    const umask = process.umask(0o077);
    try {
      await writeTree(root, tree({ "a.yaml": ours("a: 2\n"), "b.yaml": ours("b\n") }));
    } finally {
      process.umask(umask);
    }
    expect(statSync(path.join(root, "a.yaml")).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(root, "b.yaml")).mode & 0o777).toBe(0o644);
    expect(readdirSync(root).sort()).toEqual(["a.yaml", "b.yaml"]);
  });
});
