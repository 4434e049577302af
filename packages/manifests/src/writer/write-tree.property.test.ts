// The writer over arbitrary sequences of rendered trees: idempotent, equivalent to a fresh write, a dry run
// predicts the real one, and a user's own files are never touched.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { header } from "../render/serialize.js";
import type { TreeFile } from "../render/tree.js";
import { writeTree } from "./write-tree.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-writer-p-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const freshDir = () => mkdtempSync(path.join(scratch, "kubeforge-writer-p-"));

/** Every file under root as path → content. */
function snapshot(root: string, folder = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(path.join(root, folder), { withFileTypes: true })) {
    const relative = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, snapshot(root, relative));
    else out[relative] = readFileSync(path.join(root, relative), "utf8");
  }
  return out;
}

// Folders have no dot and files end in .yaml, so a file path is never also a folder path.
const filePath = fc
  .tuple(fc.array(fc.constantFrom("a", "b", "c"), { maxLength: 2 }), fc.constantFrom("x.yaml", "y.yaml", "z.yaml"))
  .map(([folders, name]) => [...folders, name].join("/"));
const body = fc.constantFrom("a: 1\n", "a: 2\n", "b: [1, 2]\n", "c: {}\n");
const tree = fc
  .dictionary(filePath, body, { maxKeys: 6, noNullPrototype: true })
  .map((files) =>
    Object.entries(files).map(([p, content]): TreeFile => ({ path: p, content: `${header("t")}${content}` })),
  );
/** User files live under user/, a folder no rendered tree uses. */
const userFiles = fc.dictionary(fc.constantFrom("user/u.yaml", "user/v.txt"), fc.string({ maxLength: 10 }), {
  noNullPrototype: true,
});

const RUNS = { numRuns: 25 };

describe("writeTree (properties)", () => {
  it("a second write of the same tree changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (files) => {
        const root = freshDir();
        await writeTree(root, files);
        const before = snapshot(root);
        const again = await writeTree(root, files);
        expect(again.written).toEqual([]);
        expect(again.removed).toEqual([]);
        expect([...again.unchanged].sort()).toEqual(files.map((file) => file.path).sort());
        expect(snapshot(root)).toEqual(before);
      }),
      RUNS,
    );
  });

  it("after any sequence of trees the folder holds exactly the last tree plus the user's files", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(tree, { minLength: 1, maxLength: 4 }), userFiles, async (trees, user) => {
        const root = freshDir();
        for (const [file, content] of Object.entries(user)) {
          mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
          writeFileSync(path.join(root, file), content);
        }
        for (const files of trees) await writeTree(root, files);
        const last = trees.at(-1) ?? [];
        expect(snapshot(root)).toEqual({
          ...user,
          ...Object.fromEntries(last.map((file) => [file.path, file.content])),
        });
      }),
      RUNS,
    );
  });

  it("a dry run reports exactly what the real write then does, and changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(tree, tree, async (first, second) => {
        const root = freshDir();
        await writeTree(root, first);
        const before = snapshot(root);
        const predicted = await writeTree(root, second, { dryRun: true });
        expect(snapshot(root)).toEqual(before);
        expect(await writeTree(root, second)).toEqual(predicted);
      }),
      RUNS,
    );
  });
});
