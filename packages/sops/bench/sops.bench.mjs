// pnpm bench: (1) encrypt+decrypt of a 20-key Kubernetes Secret per operation; (2) 1,000 files decrypted
// in-process versus one `age` CLI call per file (the age cost is extrapolated from 50 calls).
// Needs `pnpm build` first (the root `pnpm bench` builds).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { decryptText, encryptText, openDocument } from "../dist/index.js";

const identity = "AGE-SECRET-KEY-153V5ZHHEHDN3DCKTZYFKPPSDMY7TEEJ72RHNHDP0EAWJ4PM9F8YS4SLFH5";
const recipient = "age10gvvl3fmucc0g6r093m2xmt6a724npw3usfmgr7rss0cvmsrjpqszasyvn";
const options = {
  format: "yaml",
  recipients: [recipient],
  identities: [identity],
  encryptedRegex: "^(data|stringData)$",
};

const keys = Array.from({ length: 20 }, (_, i) => `    key${String(i).padStart(2, "0")}: value-${i}-${"x".repeat(24)}`);
const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n    name: bench\n    namespace: apps\ntype: Opaque\nstringData:\n${keys.join("\n")}\n`;

async function timeIt(label, count, fn) {
  for (let i = 0; i < Math.min(20, count); i++) await fn(i); // warm-up
  const start = performance.now();
  for (let i = 0; i < count; i++) await fn(i);
  const ms = performance.now() - start;
  return { label, count, ms, perOp: ms / count };
}

const fmt = (n) => n.toFixed(n < 10 ? 3 : 1);

// (1) one Secret, encrypt + decrypt per op
const roundTrip = await timeIt("encrypt+decrypt 20-key Secret", 300, async () => {
  const text = await encryptText(secret, options);
  await decryptText(text, options);
});

// (2) 1,000 distinct files
const files = [];
const encrypt1000 = await timeIt("encrypt 1,000 files", 1000, async (i) => {
  files[i] = await encryptText(secret.replace("bench", `bench-${i}`), options);
});
const decrypt1000 = await timeIt("decrypt 1,000 files (kubeforge-sops, in-process)", 1000, async (i) => {
  await openDocument(files[i], options);
});

const dir = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-bench-"));
const keyFile = path.join(dir, "key.txt");
writeFileSync(keyFile, `${identity}\n`);
const stanzas = [];
for (let i = 0; i < 50; i++) {
  const doc = await openDocument(files[i], options);
  stanzas.push(doc.metadata.keyGroups[0].age[0].enc);
}
let ageCli;
try {
  const sample = await timeIt("age -d, one call per file (50 calls)", 50, (i) => {
    execFileSync("age", ["--decrypt", "-i", keyFile], { input: stanzas[i % 50] });
  });
  ageCli = {
    ...sample,
    label: "age CLI, one call per file (extrapolated from 50)",
    count: 1000,
    ms: sample.perOp * 1000,
  };
} catch (error) {
  console.error(`age CLI not usable (${error.message}); install the Debian package \`age\``);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log("kubeforge-sops benchmark (node %s, %s)\n", process.version, os.cpus()[0]?.model ?? "cpu");
for (const r of [roundTrip, encrypt1000, decrypt1000, ageCli].filter(Boolean)) {
  console.log(
    `${r.label.padEnd(52)} ${String(r.count).padStart(5)} ops  ${fmt(r.ms).padStart(9)} ms  ${fmt(r.perOp).padStart(7)} ms/op`,
  );
}
if (ageCli) {
  console.log(`\n1,000 files: age CLI per file / kubeforge-sops decrypt = ${(ageCli.ms / decrypt1000.ms).toFixed(1)}x`);
  console.log("(the age CLI only unwraps the data key; kubeforge-sops also decrypts every value and checks the MAC)");
}
