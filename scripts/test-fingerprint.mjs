// Writes .kubeforge/test-fingerprint: a hash of ../shared (conformance vectors, CRDs) and of the versions
// of the real tools the tests run (kubectl + kustomize, etcd, age, openssl, node). turbo.json lists the file
// as an input of `test` and `validate`, so a cache hit means the same vectors and the same tools.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const shared = path.resolve(root, "../shared");
const out = path.join(root, ".kubeforge", "test-fingerprint");

/** Every file under `dir`, sorted, as paths relative to it (symlinks followed). */
function listFiles(dir, prefix = "") {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const relative = path.join(prefix, entry.name);
      const isDirectory = entry.isSymbolicLink()
        ? statSync(path.join(dir, relative)).isDirectory()
        : entry.isDirectory();
      return isDirectory ? listFiles(dir, relative) : [relative];
    });
}

function hashShared() {
  if (!existsSync(shared)) return "missing";
  const hash = createHash("sha256");
  for (const file of listFiles(shared)) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(shared, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** A tool's version output, or "missing" so the hash still changes when the tool appears. */
function toolVersion(command, args) {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "missing";
  }
}

const lines = [
  `shared ${hashShared()}`,
  `kubectl ${toolVersion("kubectl", ["version", "--client", "-o", "json"]).replace(/\s+/g, " ")}`,
  `etcd ${toolVersion("etcd", ["--version"]).split("\n")[0]}`,
  `age ${toolVersion("age", ["--version"])}`,
  `openssl ${toolVersion("openssl", ["version"])}`,
  `node ${process.version}`,
];
const text = `${lines.join("\n")}\n`;
mkdirSync(path.dirname(out), { recursive: true });
// Rewritten only when it changes, so its mtime and turbo's view of it stay stable.
if (!existsSync(out) || readFileSync(out, "utf8") !== text) writeFileSync(out, text);
