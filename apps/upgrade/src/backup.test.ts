import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkSnapshot } from "./backup.js";

const withHash = (body: Buffer) => Buffer.concat([body, createHash("sha256").update(body).digest()]);

describe("etcd snapshot check", () => {
  it("accepts a database whose appended SHA-256 matches", () => {
    const body = Buffer.alloc(20_000, 7);
    expect(checkSnapshot(withHash(body))).toEqual({
      ok: true,
      sha256: createHash("sha256").update(body).digest("hex"),
    });
  });

  it("refuses a truncated or corrupted snapshot", () => {
    expect(checkSnapshot(Buffer.alloc(100))).toMatchObject({
      ok: false,
      problem: expect.stringContaining("only 100 bytes"),
    });
    const corrupted = withHash(Buffer.alloc(20_000, 7));
    corrupted[10] = 1;
    expect(checkSnapshot(corrupted)).toMatchObject({ ok: false, problem: expect.stringContaining("does not match") });
  });
});
