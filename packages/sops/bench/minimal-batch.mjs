// NOT product code: a lower-bound experiment for the batch-decrypt row of sops.bench.mjs.
//
// The least JavaScript a batch decrypt of the bench's own files can run: it knows their exact shape (one
// `stringData` map of ENC[…] strings, one age recipient, the `sops:` block last), so it has no YAML reader,
// no tree, no emitter, no rules and no format checks. It still does every step that costs time in any
// correct decrypt: read, unwrap the age data key (X25519, HKDF, header HMAC, ChaCha20-Poly1305), open
// each value with AES-256-GCM, check the sops MAC, and write each plaintext atomically (temp file + rename,
// like the CLI). The bench checks that its output equals the CLI's, byte for byte, and prints its time:
// no implementation of the real CLI can be faster than this on the same machine.
//
// usage: SOPS_AGE_KEY_FILE=key.txt node minimal-batch.mjs <input folder> <output folder>
import crypto from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { bech32 } from "@scure/base";

const [, , inDir, outDir] = process.argv;
const secret = readFileSync(process.env.SOPS_AGE_KEY_FILE, "utf8").match(/AGE-SECRET-KEY-1\S+/)[0];
const scalar = Buffer.from(bech32.fromWords(bech32.decode(secret.toLowerCase(), 200).words));
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const identity = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_X25519, scalar]), format: "der", type: "pkcs8" });
const ownPublic = crypto.createPublicKey(identity).export({ format: "der", type: "spki" }).subarray(12);

const hmac = (key, data) => crypto.createHmac("sha256", key).update(data).digest();
const hkdf = (salt, ikm, info) => hmac(hmac(salt, ikm), Buffer.concat([Buffer.from(info), Buffer.from([1])]));
function chachaOpen(key, nonce, sealed) {
  const d = crypto.createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

function dataKey(sops) {
  const begin = sops.indexOf("-----BEGIN AGE ENCRYPTED FILE-----");
  const end = sops.indexOf("-----END AGE ENCRYPTED FILE-----", begin);
  const bin = Buffer.from(sops.slice(begin + 34, end).replace(/\s+/g, ""), "base64");
  const headerEnd = bin.indexOf("\n---");
  const macEnd = bin.indexOf(10, headerEnd + 1);
  const [, stanza, bodyText] = bin.subarray(0, headerEnd).toString("latin1").split("\n");
  const share = Buffer.from(stanza.split(" ")[2], "base64");
  const publicKey = crypto.createPublicKey({ key: Buffer.concat([SPKI_X25519, share]), format: "der", type: "spki" });
  const shared = crypto.diffieHellman({ privateKey: identity, publicKey });
  const wrapKey = hkdf(Buffer.concat([share, ownPublic]), shared, "age-encryption.org/v1/X25519");
  const fileKey = chachaOpen(wrapKey, Buffer.alloc(12), Buffer.from(bodyText, "base64"));
  const mac = Buffer.from(bin.subarray(headerEnd + 5, macEnd).toString("latin1"), "base64");
  if (!hmac(hkdf(Buffer.alloc(0), fileKey, "header"), bin.subarray(0, headerEnd + 4)).equals(mac)) {
    throw new Error("age header MAC mismatch");
  }
  const nonce = bin.subarray(macEnd + 1, macEnd + 17);
  const lastChunk = Buffer.alloc(12);
  lastChunk[11] = 1;
  return chachaOpen(hkdf(nonce, fileKey, "payload"), lastChunk, bin.subarray(macEnd + 17));
}

function openValue(key, enc, aad) {
  const iv = enc.indexOf(",iv:");
  const tag = enc.indexOf(",tag:");
  const type = enc.indexOf(",type:");
  const d = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(enc.slice(iv + 4, tag), "base64"), {
    authTagLength: 16,
  });
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(Buffer.from(enc.slice(tag + 5, type), "base64"));
  const plain = d.update(Buffer.from(enc.slice(20, iv), "base64"));
  d.final();
  return plain;
}

mkdirSync(outDir, { recursive: true });
for (const name of readdirSync(inDir).sort()) {
  const text = readFileSync(`${inDir}/${name}`, "utf8");
  const sopsAt = text.indexOf("\nsops:\n");
  const key = dataKey(text.slice(sopsAt));
  const mac = crypto.createHash("sha512");
  let out = "";
  let parent = "";
  for (const line of text.slice(0, sopsAt + 1).split("\n")) {
    if (line === "") continue;
    if (!line.startsWith(" ")) parent = line.slice(0, line.indexOf(":"));
    const colon = line.indexOf(": ");
    const value = colon > 0 ? line.slice(colon + 2) : "";
    if (value.startsWith("ENC[")) {
      const plain = openValue(key, value, `${parent}:${line.slice(0, colon).trim()}:`);
      mac.update(plain);
      out += `${line.slice(0, colon + 2)}${plain.toString("utf8")}\n`;
    } else {
      if (value) mac.update(value);
      out += `${line}\n`;
    }
  }
  const lastModified = /lastmodified: "(.*)"/.exec(text)[1];
  const storedMac = openValue(key, /\n {4}mac: (ENC\[.*\])/.exec(text)[1], lastModified).toString();
  if (storedMac !== mac.digest("hex").toUpperCase()) throw new Error(`${name}: MAC mismatch`);
  const target = `${outDir}/${name}`;
  lstatSync(target, { throwIfNoEntry: false }); // the CLI's one lstat (symlinks, an existing file's mode)
  const temp = `${outDir}/.${name}.${process.pid}.tmp`;
  writeFileSync(temp, out, { mode: 0o600, flag: "wx" });
  renameSync(temp, target);
}
