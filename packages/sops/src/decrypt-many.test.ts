// `decrypt --recursive` with enough files for worker threads (commands/decrypt-many.ts): the result must
// not depend on which thread decrypted a file — the same plaintexts, modes, messages in file order and
// exit code as the main thread alone (KUBEFORGE_SOPS_THREADS=0). Runs the built CLI.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../test/cli.js";
import { alice, bob } from "../test/keys.js";
import { decryptMany } from "./commands/decrypt-many.js";
import { encryptText } from "./operations/encrypt.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-many-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FILES = 150;
const plainOf = (i: number) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n    name: s${i}\nstringData:\n    token: t-${i}\n`;
const name = (i: number) => `ns${i % 3}/s${String(i).padStart(3, "0")}.yaml`;
// damaged on purpose, spread over the run so some land in a worker's batches
const TAMPERED = [7, 64, 131];
const OTHER_KEY = 99;

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(scratch, "kubeforge-sops-many-"));
  for (let i = 0; i < FILES; i++) {
    let text = await encryptText(plainOf(i), {
      format: "yaml",
      recipients: [i === OTHER_KEY ? bob.recipient : alice.recipient],
    });
    if (TAMPERED.includes(i))
      text = text.replace(
        /token: ENC\[AES256_GCM,data:(.)/,
        (_, c) => `token: ENC[AES256_GCM,data:${c === "A" ? "B" : "A"}`,
      );
    mkdirSync(path.join(dir, "enc", path.dirname(name(i))), { recursive: true });
    writeFileSync(path.join(dir, "enc", name(i)), text);
  }
  writeFileSync(path.join(dir, "enc", "README.md"), "not a sops file\n");
});

function run(out: string, threads?: string) {
  const env: NodeJS.ProcessEnv = { SOPS_AGE_KEY: alice.identity };
  if (threads !== undefined) env.KUBEFORGE_SOPS_THREADS = threads;
  return runCli(["decrypt", "--recursive", path.join(dir, "enc"), "--output-dir", path.join(dir, out)], { env });
}

describe("decrypt --recursive over many files", () => {
  it("writes every good file (0600) and reports each bad one once, in file order, with sops' exit code", () => {
    const result = run("out");
    const lines = result.stderr.trim().split("\n");
    const bad = [...TAMPERED, OTHER_KEY].sort((a, b) => a - b);
    // in the order of the files: ns0/…, ns1/…, ns2/…, each sorted by name
    const order = bad.map(name).sort();
    expect(lines).toHaveLength(order.length);
    for (const [i, line] of lines.entries()) expect(line).toContain(path.join(dir, "enc", order[i]!));
    expect(lines.filter((l) => l.includes("MAC mismatch") || l.includes("failed authentication"))).toHaveLength(3);
    expect(lines.find((l) => l.includes(name(OTHER_KEY)))).toContain("no age identity can decrypt the data key");
    expect(result.code).not.toBe(0);
    for (let i = 0; i < FILES; i++) {
      const file = path.join(dir, "out", name(i));
      if (bad.includes(i)) expect(() => statSync(file)).toThrow();
      else {
        expect(readFileSync(file, "utf8")).toBe(plainOf(i));
        expect(statSync(file).mode & 0o777).toBe(0o600);
      }
    }
    expect(readdirSync(path.join(dir, "out"))).not.toContain("README.md");
  });

  it("gives the same files, messages and exit code with the main thread only", () => {
    // 150 small files are below the size a thread pays for: ask for one, as a user may
    const pooled = run("pooled", "1");
    const single = run("single", "0");
    expect(pooled.code).toBe(single.code);
    expect(pooled.stderr.replaceAll("/pooled/", "/x/")).toBe(single.stderr.replaceAll("/single/", "/x/"));
    for (let i = 0; i < FILES; i++) {
      if (TAMPERED.includes(i) || i === OTHER_KEY) continue;
      expect(readFileSync(path.join(dir, "pooled", name(i)), "utf8")).toBe(
        readFileSync(path.join(dir, "single", name(i)), "utf8"),
      );
    }
  });
});

describe("a worker thread that dies", () => {
  it.each([
    [
      "exits on its first batch",
      'import { parentPort } from "node:worker_threads";\nparentPort.on("message", () => process.exit(3));\n',
    ],
    ["throws while loading", 'throw new Error("boom");\n'],
  ])("%s: the main thread decrypts the files it had taken, none is skipped", async (_, source) => {
    const worker = path.join(dir, `worker-${source.length}.mjs`);
    writeFileSync(worker, source);
    const out = path.join(dir, `dead-${source.length}`);
    const errors: unknown[] = [];
    const failures = await decryptMany({
      files: [],
      recursive: path.join(dir, "enc"),
      outputDir: out,
      // from the temp folder: the repository's .sops.yaml (stores.yaml.indent) must not apply
      common: { env: { SOPS_AGE_KEY: alice.identity }, cwd: dir },
      onError: (error) => errors.push(error),
      threads: 1,
      workerUrl: pathToFileURL(worker),
    });
    // the damaged files fail as they do on the main thread; every other file is written
    expect(failures).toHaveLength(TAMPERED.length + 1);
    expect(errors).toEqual(failures);
    for (let i = 0; i < FILES; i++) {
      if (TAMPERED.includes(i) || i === OTHER_KEY) continue;
      expect(readFileSync(path.join(out, name(i)), "utf8")).toBe(plainOf(i));
    }
  });
});
