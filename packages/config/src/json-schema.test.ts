import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { clusterJsonSchema } from "./json-schema.js";

const fixtures = path.resolve(import.meta.dirname, "../test/fixtures");

describe("clusterJsonSchema", () => {
  const schema = clusterJsonSchema();
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

  it("accepts the valid fixture as written (defaults left out)", () => {
    const ok = validate(parse(readFileSync(path.join(fixtures, "valid/cluster.yaml"), "utf8")));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("rejects unknown keys so editors flag typos", () => {
    const data = parse(readFileSync(path.join(fixtures, "invalid/unknown-key.yaml"), "utf8"));
    expect(validate(data)).toBe(false);
    expect(validate.errors?.[0]?.keyword).toBe("additionalProperties");
  });

  it("carries descriptions for completion", () => {
    const properties = schema.properties as Record<string, { description?: string }>;
    expect(properties.name?.description).toMatch(/Cluster name/);
  });
});
