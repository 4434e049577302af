import { expect, it } from "vitest";
import { parseCertFingerprints, unpinnedError, unpinnedWarning } from "./fingerprints.js";

const FP = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

it("groups --cert-fingerprint <host>=<fp> by host; the fingerprint's own = stays in it", () => {
  expect(parseCertFingerprints([`cp-1=${FP}`, `cp-1=${FP.replace("q", "r")}`, `w-1=${FP}`], ["cp-1", "w-1"])).toEqual({
    "cp-1": [FP, FP.replace("q", "r")],
    "w-1": [FP],
  });
});

it.each([
  [`cp-9=${FP}`, "expected <hostname>=<fingerprint> with a hostname of the cluster"],
  [FP, "expected <hostname>=<fingerprint>"],
  ["cp-1=", "(empty) is not a certificate fingerprint"],
  ["cp-1=AA:BB:CC", "AA:BB:CC is not a certificate fingerprint"],
  [`cp-1=${FP.slice(1)}`, "is not a certificate fingerprint"],
])("refuses %s as a usage error", (entry, message) => {
  expect(() => parseCertFingerprints([entry], ["cp-1"])).toThrow(message);
  try {
    parseCertFingerprints([entry], ["cp-1"]);
  } catch (error) {
    expect((error as { exitCode: number }).exitCode).toBe(2);
  }
});

it("warns on one line naming the node, the risk and the fix", () => {
  const line = unpinnedWarning("cp-1", "10.0.0.11");
  expect(line.trimEnd()).not.toContain("\n");
  expect(line).toContain("cp-1 (10.0.0.11): the node's identity is not verified");
  expect(line).toContain("cluster's CA keys");
  expect(line).toContain("--cert-fingerprint cp-1=<fingerprint> (shown on the node's console in maintenance mode)");
});

it("--require-fingerprint names every unpinned node and how to pin it", () => {
  const error = unpinnedError(["cp-1", "w-1"]);
  expect(error.message).toContain("no --cert-fingerprint for cp-1, w-1; nothing was applied");
  expect(error.hint).toContain("--cert-fingerprint cp-1=<fingerprint> --cert-fingerprint w-1=<fingerprint>");
  expect(error.exitCode).toBe(2);
});
