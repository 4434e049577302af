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
});
