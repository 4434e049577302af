import { describe, expect, it } from "vitest";
import { UpgradeError } from "./errors.js";
import { createTalosctl, parseServerTag } from "./talosctl.js";

describe("talosctl wrapper", () => {
  it("reads the server tag, not the client's", () => {
    const output =
      "Client:\n\tTag:         v1.13.9\n\tSHA:         abc\nServer:\n\tNODE:        10.0.0.11\n\tTag:         v1.12.11\n\tSHA:         def\n";
    expect(parseServerTag(output)).toBe("v1.12.11");
    expect(parseServerTag("Client:\n\tTag: v1.13.9\n")).toBeUndefined();
  });

  it("says how to install talosctl when it is missing", async () => {
    const talosctl = createTalosctl({ bin: "/nonexistent/talosctl" });
    const error = await talosctl.version("10.0.0.11", { timeoutMs: 5000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpgradeError);
    expect((error as UpgradeError).code).toBe("E_CONNECT");
    expect((error as UpgradeError).message).toBe("/nonexistent/talosctl is not installed or not on PATH");
  });

  it("reports a failing command with its exit code and last output lines", async () => {
    const talosctl = createTalosctl({ bin: "false" });
    const error = (await talosctl
      .upgrade("10.0.0.11", "img:v1", { timeoutMs: 5000 })
      .catch((caught: unknown) => caught)) as UpgradeError;
    expect(error.code).toBe("E_UPGRADE");
    expect(error.message).toBe(
      "`talosctl upgrade --nodes 10.0.0.11 --image img:v1 --wait --timeout 5s` exited with 1: no output",
    );
  });
});
