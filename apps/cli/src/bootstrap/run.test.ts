import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Cluster } from "@kubeforge/config";
import { afterAll, expect, it } from "vitest";
import type { BootstrapContext, Step } from "./context.js";
import { runPlan } from "./run.js";

const dir = mkdtempSync(path.join(tmpdir(), "bootstrap-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One apply step whose config text and address the test sets, and a plain step after it. */
function plan(config: { text: string; address: string }) {
  const ran: string[] = [];
  const steps: Step[] = [
    {
      id: "apply:n1",
      title: "apply n1",
      run: async () => {
        ran.push("apply:n1");
        return config.address;
      },
      applies: async () => ({
        hostname: "n1",
        file: "/c/talos/generated/n1.sops.yaml",
        address: config.address,
        digest: config.text,
      }),
    },
    {
      id: "later",
      title: "later",
      run: async () => {
        ran.push("later");
        return undefined;
      },
    },
  ];
  const err: string[] = [];
  const context = {
    cluster: { name: "lab" } as Cluster,
    io: { out: () => undefined, err: (text: string) => err.push(text) },
  } as unknown as BootstrapContext;
  return { steps, context, ran, err };
}

it("skips a finished apply while its config is unchanged, and refuses (running nothing) once it changed", async () => {
  const stateFile = path.join(dir, "changed.json");
  const config = { text: "a", address: "10.0.0.1" };
  const first = plan(config);
  await runPlan(first.context, first.steps, stateFile, { clusterArg: "lab" });
  expect(first.ran).toEqual(["apply:n1", "later"]);
  expect(JSON.parse(readFileSync(stateFile, "utf8")).applied).toEqual({
    "apply:n1": { address: "10.0.0.1", digest: "a" },
  });

  const same = plan(config);
  await runPlan(same.context, same.steps, stateFile, { clusterArg: "lab" });
  expect(same.ran).toEqual([]);

  config.text = "b";
  const changed = plan(config);
  await expect(runPlan(changed.context, changed.steps, stateFile, { clusterArg: "lab" })).rejects.toMatchObject({
    code: "E_INPUT",
    message: expect.stringMatching(/n1: \S*n1\.sops\.yaml changed since bootstrap applied it/),
    hint: expect.stringContaining("kubeforge bootstrap lab --accept-applied"),
  });
  expect(changed.ran).toEqual([]);

  const accepted = plan(config);
  await runPlan(accepted.context, accepted.steps, stateFile, { clusterArg: "lab", acceptApplied: true });
  expect(accepted.ran).toEqual([]);
  expect(JSON.parse(readFileSync(stateFile, "utf8")).applied["apply:n1"].digest).toBe("b");
});

it("records the current config for a state file written before digests, with a note, and goes on", async () => {
  const stateFile = path.join(dir, "old.json");
  writeFileSync(stateFile, JSON.stringify({ version: 1, cluster: "lab", done: { "apply:n1": "10.0.0.1" } }));
  const old = plan({ text: "a", address: "10.0.0.1" });
  await runPlan(old.context, old.steps, stateFile, { clusterArg: "lab" });
  expect(old.ran).toEqual(["later"]);
  expect(old.err.join("")).toContain("note: n1: the state file does not say which config was applied");
  expect(JSON.parse(readFileSync(stateFile, "utf8")).applied["apply:n1"]).toEqual({ address: "10.0.0.1", digest: "a" });
});
