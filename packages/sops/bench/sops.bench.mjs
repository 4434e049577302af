// pnpm bench (needs `pnpm build` first; the root `pnpm bench` builds). Prints, side by side in one run:
//   1. encrypt+decrypt of a 64k-key YAML file (target ≤ 1 s) and of a 20 MB Secret with 200k keys;
//   2. 1,000 files decrypted by ONE `kubeforge-sops decrypt --recursive` process versus one `age -d`
//      process per file (target ≥ 10× faster), and bench/minimal-batch.mjs, the lower bound for that row;
//   3. start-up: `kubeforge-sops --version` next to a bare `node -e 0` (target ≤ 100 ms).
// Wall time and CPU time are both printed: on a shared machine wall time mostly measures the load.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { decryptText, encryptText, openDocument } from "../dist/index.js";

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "bin", "kubeforge-sops.mjs");
const identity = "AGE-SECRET-KEY-153V5ZHHEHDN3DCKTZYFKPPSDMY7TEEJ72RHNHDP0EAWJ4PM9F8YS4SLFH5";
const recipient = "age10gvvl3fmucc0g6r093m2xmt6a724npw3usfmgr7rss0cvmsrjpqszasyvn";
const rows = [];
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

async function measure(label, fn) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { label, wall, cpu: (used.user + used.system) / 1000 };
}

/** Runs a shell script; wall time, and the CPU time of its children from bash's `times` builtin. Flushes
 * the page cache first: files written just before (the inputs) would otherwise be flushed during the
 * timed run, making whichever row runs first pay for the others' writes. */
function shell(label, script, env = process.env, cwd = undefined) {
  spawnSync("sync");
  const start = performance.now();
  const result = spawnSync("bash", ["-c", `${script}\ntimes`], { env, cwd, encoding: "utf8" });
  const wall = performance.now() - start;
  if (result.status !== 0) throw new Error(`${label} failed: ${result.stderr}`);
  const seconds = (text) => {
    const m = /(\d+)m([\d.]+)s/.exec(text);
    return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  };
  const children = result.stdout.trim().split("\n").pop().split(/\s+/);
  return { label, wall, cpu: (seconds(children[0]) + seconds(children[1])) * 1000 };
}

/** A random X25519 private key as JWK (not generateKeyPairSync: see keys/x25519.ts). */
const ephemeralJwk = () => ({
  key: { kty: "OKP", crv: "X25519", d: crypto.randomBytes(32).toString("base64url"), x: "A".repeat(43) },
  format: "jwk",
});

const q = (text) => `'${text.replaceAll("'", "'\\''")}'`;

function secretOf(keys, width) {
  let text = "apiVersion: v1\nkind: Secret\nmetadata:\n    name: bench\ntype: Opaque\nstringData:\n";
  for (let i = 0; i < keys; i++) text += `    key${i}: ${"v".repeat(width)}${i}\n`;
  return text;
}

// 1. large files
for (const [keys, width, label] of [
  [64_000, 8, "64k-key YAML encrypt+decrypt"],
  [200_000, 90, "20 MB Secret, 200k keys, encrypt+decrypt"],
]) {
  const text = secretOf(keys, width);
  const round = async () => {
    const encrypted = await encryptText(text, { format: "yaml", recipients: [recipient] });
    const plain = await decryptText(encrypted, { format: "yaml", identities: [identity] });
    if (plain !== text) throw new Error("round trip changed the text");
  };
  if (keys < 100_000) await round(); // warm-up
  rows.push({
    ...(await measure(`${label} (${(text.length / 1e6).toFixed(1)} MB)`, round)),
    target: keys < 100_000 ? "≤ 1000 ms" : "seconds",
  });
}

// 2. batch decrypt: one process for 1,000 files versus one age process per file
const dir = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-bench-"));
// removed however the bench ends (a failed row throws)
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const keyFile = path.join(dir, "key.txt");
writeFileSync(keyFile, `${identity}\n`);
mkdirSync(path.join(dir, "enc"));
mkdirSync(path.join(dir, "age"));
const stanzas = [];
for (let i = 0; i < 1000; i++) {
  const text = await encryptText(secretOf(20, 24).replace("bench", `bench-${i}`), {
    format: "yaml",
    recipients: [recipient],
    encryptedRegex: "^(data|stringData)$",
  });
  writeFileSync(path.join(dir, "enc", `s${i}.yaml`), text);
  stanzas.push((await openDocument(text, { format: "yaml", identities: [identity] })).metadata.keyGroups[0].age[0].enc);
}
for (const [i, stanza] of stanzas.entries()) writeFileSync(path.join(dir, "age", `k${i}.age`), stanza);
// 2.5 MB in all: below the 8 MB from which the CLI starts worker threads, so the main thread does them all
// the median of three runs, each into a new folder (one run swings with the file system's state)
const batchRuns = [1, 2, 3].map((n) =>
  shell(
    "kubeforge-sops decrypt --recursive: 1 process, 1,000 files (median of 3)",
    `${q(process.execPath)} ${q(bin)} decrypt --recursive ${q(path.join(dir, "enc"))} --output-dir ${q(path.join(dir, `out${n}`))}`,
    { ...process.env, SOPS_AGE_KEY_FILE: keyFile },
    dir, // no .sops.yaml above it: the repository's own (stores.yaml.indent) must not change the output
  ),
);
const batch = batchRuns.sort((a, b) => a.wall - b.wall)[1];
// the lower bound: a special-case program for exactly these files (bench/minimal-batch.mjs), same output
const minimalRuns = [1, 2, 3].map((n) =>
  shell(
    "  lower bound: minimal-batch.mjs, these files only (median of 3)",
    `${q(process.execPath)} ${q(path.join(path.dirname(bin), "..", "bench", "minimal-batch.mjs"))} ${q(path.join(dir, "enc"))} ${q(path.join(dir, `min${n}`))}`,
    { ...process.env, SOPS_AGE_KEY_FILE: keyFile },
    dir,
  ),
);
const minimal = minimalRuns.sort((a, b) => a.wall - b.wall)[1];
for (let i = 0; i < 1000; i++) {
  const name = `s${i}.yaml`;
  if (!readFileSync(path.join(dir, "min1", name)).equals(readFileSync(path.join(dir, "out1", name)))) {
    throw new Error(`minimal-batch.mjs wrote ${name} differently from the CLI: the lower bound would not be fair`);
  }
}
const batchThreads = shell(
  "  the same with a worker thread (KUBEFORGE_SOPS_THREADS=1)",
  `${q(process.execPath)} ${q(bin)} decrypt --recursive ${q(path.join(dir, "enc"))} --output-dir ${q(path.join(dir, "out-threads"))}`,
  { ...process.env, SOPS_AGE_KEY_FILE: keyFile, KUBEFORGE_SOPS_THREADS: "1" },
  dir,
);
// the floor under any per-file tool here: creating 1,000 files (write + close), no decryption at all
spawnSync("sync");
const creates = await measure("creating 1,000 small files (writeFileSync, no decryption)", async () => {
  mkdirSync(path.join(dir, "touch"));
  for (let i = 0; i < 1000; i++) writeFileSync(path.join(dir, "touch", `t${i}`), "x", { mode: 0o600, flag: "wx" });
});
// the crypto calls of those 1,000 decryptions alone, without parsing, walking or writing: per file one
// X25519 agreement (its share imported as JWK), three HKDFs and the header HMAC, two ChaCha20-Poly1305
// opens (stanza, payload), 21 AES-256-GCM opens (20 values and the MAC) and the SHA-512 MAC
const floorInputs = Array.from({ length: 1000 }, () => {
  const share = crypto.createPublicKey(crypto.createPrivateKey(ephemeralJwk())).export({ format: "jwk" }).x;
  const key = crypto.randomBytes(32);
  const values = Array.from({ length: 21 }, (_, v) => {
    const iv = crypto.randomBytes(32);
    const aad = Buffer.from(`stringData:key${v}:`);
    const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(aad);
    const data = Buffer.concat([cipher.update(`${"v".repeat(24)}${v}`), cipher.final()]);
    return { iv, aad, data, tag: cipher.getAuthTag() };
  });
  return { share, key, values };
});
const floorIdentity = crypto.createPrivateKey(ephemeralJwk());
const sealed = (key) => {
  const c = crypto.createCipheriv("chacha20-poly1305", key, Buffer.alloc(12), { authTagLength: 16 });
  return Buffer.concat([c.update(crypto.randomBytes(16)), c.final(), c.getAuthTag()]);
};
const floorSealed = sealed(Buffer.alloc(32));
const cryptoFloor = await measure("  node:crypto calls of those 1,000 decryptions alone (no JS of ours)", async () => {
  for (const { share, key, values } of floorInputs) {
    const publicKey = crypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: share }, format: "jwk" });
    const shared = crypto.diffieHellman({ privateKey: floorIdentity, publicKey });
    let k = shared;
    for (let h = 0; h < 7; h++) k = crypto.createHmac("sha256", k).update(share).digest();
    for (let c = 0; c < 2; c++) {
      const d = crypto.createDecipheriv("chacha20-poly1305", Buffer.alloc(32), Buffer.alloc(12), { authTagLength: 16 });
      d.setAuthTag(floorSealed.subarray(16));
      d.update(floorSealed.subarray(0, 16));
      d.final();
    }
    const mac = crypto.createHash("sha512");
    for (const { iv, aad, data, tag } of values) {
      const d = crypto.createDecipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
      d.setAAD(aad);
      d.setAuthTag(tag);
      mac.update(Buffer.concat([d.update(data), d.final()]));
    }
    mac.digest("hex");
  }
});
let ageRow;
try {
  ageRow = shell(
    "age -d: 1 process per file, 1,000 files (data key only)",
    // each to its own output file, as the batch does
    `for f in ${q(path.join(dir, "age"))}/*.age; do age --decrypt -i ${q(keyFile)} -o "$f.key" "$f" || exit 1; done`,
  );
} catch (error) {
  console.error(`age CLI not usable (${error.message}); install the Debian package \`age\``);
  process.exitCode = 1;
}
const texts = [];
for (let i = 0; i < 1000; i++) texts.push(readFileSync(path.join(dir, "enc", `s${i}.yaml`), "utf8"));
const inProcess = await measure("decryptText × 1,000 in one process (no file IO)", async () => {
  for (const text of texts) await decryptText(text, { format: "yaml", identities: [identity] });
});
rows.push({ ...batch, target: "≥ 10× faster than age" });
rows.push({ ...batchThreads, target: "" });
rows.push({ ...minimal, target: "" });
rows.push({ ...creates, target: "" });
rows.push({ ...cryptoFloor, target: "" });
rows.push({ ...inProcess, target: "" });
if (ageRow) rows.push({ ...ageRow, target: "" });

// 3. start-up
const loop = (command) => `for i in $(seq 20); do ${command} >/dev/null; done`;
const nodeOnly = shell("node -e 0 (20 runs)", loop(`${q(process.execPath)} -e 0`));
const version = shell("kubeforge-sops --version (20 runs)", loop(`${q(process.execPath)} ${q(bin)} --version`));
const perRun = (r, target) => ({
  ...r,
  label: r.label.replace("(20 runs)", "(per run)"),
  wall: r.wall / 20,
  cpu: r.cpu / 20,
  target,
});
rows.push(perRun(nodeOnly, ""));
rows.push(perRun(version, "≤ 100 ms"));
rmSync(dir, { recursive: true, force: true });

console.log(
  "kubeforge-sops benchmark (node %s, %s, load %s)\n",
  process.version,
  os.cpus()[0]?.model ?? "cpu",
  os.loadavg()[0].toFixed(1),
);
console.log(`${"".padEnd(72)} ${"wall ms".padStart(9)} ${"cpu ms".padStart(9)}  target`);
for (const r of rows) {
  console.log(
    `${r.label.padEnd(72)} ${fmt(r.wall).padStart(9)} ${Number.isNaN(r.cpu) ? "".padStart(9) : fmt(r.cpu).padStart(9)}  ${r.target}`,
  );
}
if (ageRow) {
  console.log(
    `\nbatch decrypt: ${(ageRow.wall / batch.wall).toFixed(1)}× faster (wall), ${(ageRow.cpu / batch.cpu).toFixed(1)}× (cpu) than one age process per file`,
  );
  console.log(
    `lower bound: a minimal special-case program with the same output is ${(ageRow.wall / minimal.wall).toFixed(1)}× faster (wall), ${(ageRow.cpu / minimal.cpu).toFixed(1)}× (cpu) than one age process per file; the CLI takes ${(batch.wall / minimal.wall).toFixed(2)}× its time`,
  );
  console.log(
    `in-process decrypt: ${(ageRow.wall / inProcess.wall).toFixed(1)}× faster (wall), ${(ageRow.cpu / inProcess.cpu).toFixed(1)}× (cpu) than one age process per file`,
  );
}
if (ageRow) {
  // what no Node process can go below here: starting node, these crypto calls, creating the files
  const floor = nodeOnly.wall / 20 + cryptoFloor.wall + creates.wall;
  console.log(
    `floor for any Node batch decrypt here: node start ${fmt(nodeOnly.wall / 20)} + crypto calls ${fmt(cryptoFloor.wall)} + creating the files ${fmt(creates.wall)} = ${fmt(floor)} ms, at most ${(ageRow.wall / floor).toFixed(1)}× faster than age; the batch spends ${fmt(batch.wall - floor)} ms above it`,
  );
}
console.log(
  `start-up: ${fmt(version.cpu / 20)} ms cpu per --version, ${fmt((version.cpu - nodeOnly.cpu) / 20)} ms more than bare node`,
);
