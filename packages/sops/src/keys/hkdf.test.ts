import { hkdfSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hkdfSha256 } from "./hkdf.js";

describe("hkdfSha256", () => {
  it("gives node:crypto's HKDF-SHA256 (32 bytes) for every salt length, including none", () => {
    for (const saltLength of [0, 1, 16, 32, 64, 65, 200]) {
      for (const info of ["", "header", "payload", "age-encryption.org/v1/X25519"]) {
        const ikm = randomBytes(32);
        const salt = randomBytes(saltLength);
        expect(hkdfSha256(ikm, salt, info).toString("hex")).toBe(
          Buffer.from(hkdfSync("sha256", ikm, salt, info, 32)).toString("hex"),
        );
      }
    }
  });

  it("matches RFC 5869 test case 1 (first 32 bytes of OKM)", () => {
    const ikm = Buffer.alloc(22, 0x0b);
    const salt = Buffer.from("000102030405060708090a0b0c", "hex");
    const info = Buffer.from("f0f1f2f3f4f5f6f7f8f9", "hex");
    expect(hkdfSha256(ikm, salt, info).toString("hex")).toBe(
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf",
    );
  });
});
