// A SOPS stand-in for tests: reversible, marked like SOPS output, and with a random nonce so that
// re-sealing unchanged text would churn unless `previous` is honoured (as the real SOPS does).
import { randomBytes } from "node:crypto";
import type { SecretSealer } from "../store/sealer.js";
import { looksSopsEncrypted } from "../store/sops-sealer.js";

function decode(text: string): string {
  const match = /^data: ([A-Za-z0-9+/=]+)$/m.exec(text);
  if (!match?.[1]) throw Object.assign(new Error("not a fake-sealed file"), { code: "E_SOPS_DECRYPT" });
  return Buffer.from(match[1], "base64").toString("utf8");
}

export function createFakeSealer(): SecretSealer & { opened: number } {
  const sealer = {
    opened: 0,
    async seal(plaintext: string, options: { previous?: string }) {
      if (options.previous !== undefined && decode(options.previous) === plaintext) return options.previous;
      return `data: ${Buffer.from(plaintext).toString("base64")}\nsops:\n    nonce: ${randomBytes(8).toString("hex")}\n`;
    },
    async open(ciphertext: string) {
      sealer.opened++;
      return decode(ciphertext);
    },
    isSealed: looksSopsEncrypted,
  };
  return sealer;
}
