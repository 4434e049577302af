import { describe, expect, it } from "vitest";
import { crdVersionSchemas, toStrictSchema } from "./crd-schema.js";

describe("toStrictSchema", () => {
  it("closes objects with properties unless they preserve unknown fields", () => {
    expect(
      toStrictSchema({
        type: "object",
        description: "dropped",
        properties: {
          values: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          port: { "x-kubernetes-int-or-string": true },
          replicas: { type: "integer", minimum: 0, exclusiveMinimum: true },
          note: { type: "string", nullable: true },
        },
      }),
    ).toEqual({
      type: "object",
      additionalProperties: false,
      properties: {
        values: { type: "object" },
        port: { anyOf: [{ type: "integer" }, { type: "string" }] },
        replicas: { type: "integer", exclusiveMinimum: 0 },
        note: { type: ["string", "null"] },
      },
    });
  });
});

describe("crdVersionSchemas", () => {
  it("returns one schema per served version with ObjectMeta for metadata", () => {
    const crd = {
      spec: {
        group: "example.com",
        names: { kind: "Widget" },
        versions: [
          {
            name: "v1",
            served: true,
            schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object" } } } },
          },
          { name: "v1beta1", served: false },
        ],
      },
    };
    const schemas = crdVersionSchemas(crd);
    expect(schemas.map((s) => `${s.apiVersion}/${s.kind}`)).toEqual(["example.com/v1/Widget"]);
    expect(schemas[0]?.schema).toMatchObject({
      additionalProperties: false,
      properties: { metadata: { $ref: "kubernetes#/$defs/V1ObjectMeta" } },
    });
    expect(crdVersionSchemas({ spec: {} })).toEqual([]);
  });
});
