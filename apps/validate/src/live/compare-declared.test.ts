import { describe, expect, it } from "vitest";
import { compareDeclared } from "./compare-declared.js";

describe("compareDeclared", () => {
  it("ignores fields only the server sets and status", () => {
    const declared = { metadata: { name: "a", labels: { x: "1" } }, spec: { replicas: 2 }, status: { ready: 1 } };
    const live = {
      metadata: { name: "a", uid: "u", labels: { x: "1", extra: "y" } },
      spec: { replicas: 2, paused: false },
      status: {},
    };
    expect(compareDeclared(declared, live)).toEqual([]);
  });

  it("reports changed, missing and reshaped fields with their paths", () => {
    const declared = { spec: { replicas: 2, ports: [{ port: 80 }], selector: { app: "a" } } };
    const live = { spec: { replicas: 3, ports: [{ port: 80 }, { port: 81 }] } };
    expect(compareDeclared(declared, live).map((d) => d.path)).toEqual([
      "spec.replicas",
      "spec.ports",
      "spec.selector",
    ]);
  });

  it("treats numbers and numeric strings alike and skips encrypted Secret payloads", () => {
    expect(compareDeclared({ spec: { hard: { pods: 50 } } }, { spec: { hard: { pods: "50" } } })).toEqual([]);
    expect(
      compareDeclared({ data: { a: "ENC[...]" }, sops: {} }, { data: { a: "cGxhaW4=" } }, { isSecret: true }),
    ).toEqual([]);
  });
});
