import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { doctorArgs } from "./doctor.js";

const root = mkdtempSync(path.join(tmpdir(), "doctor-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("reads the kubeconfig and talosconfig bootstrap wrote for a cluster, unless --kubeconfig is given", async () => {
  const dir = path.join(root, "lab");
  mkdirSync(path.join(dir, ".kubeforge"), { recursive: true });
  writeFileSync(path.join(dir, "cluster.yaml"), "name: lab\n");
  // nothing checked: an error (2), not findings (1)
  await expect(doctorArgs([dir])).rejects.toMatchObject({
    message: expect.stringContaining("does not exist"),
    exitCode: 2,
  });
  await expect(doctorArgs([path.join(root, "nosuch")])).rejects.toMatchObject({ exitCode: 2 });
  writeFileSync(path.join(dir, ".kubeforge", "kubeconfig"), "");
  writeFileSync(path.join(dir, ".kubeforge", "talosconfig"), "");
  expect(await doctorArgs([dir, "--json"])).toEqual([
    "doctor",
    "--kubeconfig",
    path.join(dir, ".kubeforge", "kubeconfig"),
    "--talosconfig",
    path.join(dir, ".kubeforge", "talosconfig"),
    "--json",
  ]);
  expect(await doctorArgs(["--kubeconfig", "k", dir])).toEqual([
    "doctor",
    "--talosconfig",
    path.join(dir, ".kubeforge", "talosconfig"),
    "--kubeconfig",
    "k",
  ]);
  expect(await doctorArgs(["--context", "x"])).toEqual(["doctor", "--context", "x"]);
});
