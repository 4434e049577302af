// The valid fixture cluster (test/fixtures/valid/cluster.yaml: "lab", nodes lab-1..3 on 10.0.0.0/24, each with a
// MAC and a cubefs: data disk "cubefs-data", VIP .10, gateway .1), edited by a test and validated.
import { readFileSync } from "node:fs";
import path from "node:path";
import { formatIssue } from "../src/errors.js";
import { parseClusterYaml } from "../src/load.js";
import { validateCluster } from "../src/validate.js";

// biome-ignore lint/suspicious/noExplicitAny: test data is edited freely before validation
export type FixtureData = any;

const valid = readFileSync(path.resolve(import.meta.dirname, "fixtures/valid/cluster.yaml"), "utf8");

function validateEdited(edit: (data: FixtureData) => void) {
  const data = parseClusterYaml(valid) as FixtureData;
  edit(data);
  return validateCluster(data);
}

/** The errors of the edited fixture, formatted as the CLI prints them (none when it is valid). */
export function errorsOf(edit: (data: FixtureData) => void): string[] {
  const result = validateEdited(edit);
  return result.ok ? [] : result.errors.map((issue) => formatIssue(issue));
}

/** The warnings of the edited fixture, formatted as the CLI prints them. */
export function warningsOf(edit: (data: FixtureData) => void): string[] {
  return validateEdited(edit).warnings.map((issue) => formatIssue(issue));
}
