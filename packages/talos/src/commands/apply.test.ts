import { describe, expect, it } from "vitest";
import { bootstrapSteps } from "./apply.js";

describe("bootstrapSteps", () => {
  const options = { first: "192.168.1.101", cluster: "clusters/homelab/cluster.ts" };

  it("points talosctl at the cluster's decrypted talosconfig, wherever the command ran", () => {
    const steps = bootstrapSteps({ ...options, talosconfig: "clusters/homelab/talos/out/talosconfig", exists: true });
    expect(steps[0]).toMatch(
      /^talosctl --talosconfig clusters\/homelab\/talos\/out\/talosconfig bootstrap --nodes 192\.168\.1\.101/,
    );
    expect(steps.join("\n")).not.toContain("--plaintext");
  });

  it("first says how to write the decrypted talosconfig when it is not there", () => {
    const steps = bootstrapSteps({ ...options, talosconfig: "clusters/homelab/talos/out/talosconfig", exists: false });
    expect(steps[0]).toBe(
      "kubeforge-talos gen config --cluster clusters/homelab/cluster.ts --plaintext   # writes clusters/homelab/talos/out/talosconfig",
    );
    expect(steps[1]).toContain("--talosconfig clusters/homelab/talos/out/talosconfig bootstrap");
  });
});
