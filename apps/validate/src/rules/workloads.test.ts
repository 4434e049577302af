import { describe, expect, it } from "vitest";
import { parseManifestText } from "../tree/load-documents.js";
import { containersOf } from "./workloads.js";

const documentOf = (text: string) => parseManifestText(text, { file: "x.yaml", absolutePath: "/x.yaml" }).documents[0];

describe("containersOf", () => {
  it("finds containers, init containers and their paths in a workload", () => {
    const document = documentOf(
      "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers: [{name: i}]\n          containers: [{name: c}]\n",
    );
    expect(document && containersOf(document).map((entry) => entry.path.join("."))).toEqual([
      "spec.jobTemplate.spec.template.spec.initContainers.0",
      "spec.jobTemplate.spec.template.spec.containers.0",
    ]);
  });

  it("does not stop on a kind named like an Object property (it used to throw 'not iterable')", () => {
    for (const kind of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const document = documentOf(
        `apiVersion: v1\nkind: ${kind}\nmetadata: {name: x}\nspec: {containers: [{name: c}]}\n`,
      );
      expect(document && containersOf(document)).toEqual([]);
    }
  });

  it("finds ephemeral containers too, and skips list entries that are not containers", () => {
    const document = documentOf(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers: [{name: i}]\n  containers: [oops, {name: c}]\n  ephemeralContainers: [{name: e}]\n",
    );
    expect(
      document && containersOf(document).map((entry) => `${entry.path.join(".")} ${entry.container.name}`),
    ).toEqual(["spec.initContainers.0 i", "spec.containers.1 c", "spec.ephemeralContainers.0 e"]);
  });

  it.each([
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: x}\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: null}}\n",
  ])("a workload without a pod spec has no containers (and does not stop the run): %j", (text) => {
    const document = documentOf(text);
    expect(document && containersOf(document)).toEqual([]);
  });
});
