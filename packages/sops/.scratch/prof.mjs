import { performance } from "node:perf_hooks";
import { Encrypter, Decrypter, armor } from "age-encryption";
const identity = "AGE-SECRET-KEY-153V5ZHHEHDN3DCKTZYFKPPSDMY7TEEJ72RHNHDP0EAWJ4PM9F8YS4SLFH5";
const recipient = "age10gvvl3fmucc0g6r093m2xmt6a724npw3usfmgr7rss0cvmsrjpqszasyvn";
const key = new Uint8Array(32);
let t = performance.now(); let enc;
for (let i = 0; i < 100; i++) { const e = new Encrypter(); e.addRecipient(recipient); enc = await e.encrypt(key); }
console.log("wrap", (performance.now() - t) / 100);
t = performance.now();
for (let i = 0; i < 100; i++) { const d = new Decrypter(); d.addIdentity(identity); await d.decrypt(enc); }
console.log("unwrap", (performance.now() - t) / 100);
const { parseAllDocuments } = await import("yaml");
const keys = Array.from({ length: 20 }, (_, i) => `    key${i}: value-${i}`);
const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n    name: bench\nstringData:\n${keys.join("\n")}\n`;
t = performance.now();
for (let i = 0; i < 100; i++) parseAllDocuments(secret, { schema: "failsafe" });
console.log("yaml parse", (performance.now() - t) / 100);
