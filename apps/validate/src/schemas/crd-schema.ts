// Turns a CustomResourceDefinition's openAPIV3Schema into a strict JSON Schema (2020-12) for ajv.
// Strict: objects that declare `properties` reject unknown fields unless they say
// `x-kubernetes-preserve-unknown-fields`, which is what the API server's structural pruning does.

type Schema = Record<string, unknown>;

export interface CrdVersionSchema {
  readonly apiVersion: string;
  readonly kind: string;
  readonly schema: Schema;
}

function isRecord(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A CRD pattern is a Go (RE2) regular expression; JSON Schema patterns are ECMAScript with the `u` flag. Go's
 * leading case-insensitive flag `(?i)` becomes explicit letter classes; a pattern that still does not compile
 * is dropped (the value is accepted) rather than stopping the run.
 */
export function toJsPattern(pattern: string): string | undefined {
  let converted = pattern;
  const flag = /^(\^?)\(\?i\)/.exec(pattern);
  if (flag) {
    const rest = pattern.slice(flag[0].length);
    let out = flag[1] ?? "";
    let inClass = false;
    for (let index = 0; index < rest.length; index++) {
      const char = rest[index] ?? "";
      if (char === "\\") {
        out += char + (rest[index + 1] ?? "");
        index++;
        continue;
      }
      if (char === "[") inClass = true;
      else if (char === "]") inClass = false;
      const lower = char.toLowerCase();
      const upper = char.toUpperCase();
      if (lower === upper || !/[a-z]/i.test(char)) out += char;
      else out += inClass ? `${lower}${upper}` : `[${lower}${upper}]`;
    }
    converted = out;
  }
  try {
    new RegExp(converted, "u");
    return converted;
  } catch {
    return undefined;
  }
}

/** Converts an OpenAPI v3 (structural) schema node into a strict JSON Schema node. */
export function toStrictSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toStrictSchema);
  if (!isRecord(node)) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "description" || key === "example" || key.startsWith("x-kubernetes-")) continue;
    if (key === "properties" && isRecord(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, toStrictSchema(child)]));
    } else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
      // OpenAPI 3.0 booleans; JSON Schema 2020-12 wants the bound itself.
      const bound = key === "exclusiveMinimum" ? "minimum" : "maximum";
      if (value === true && typeof node[bound] === "number") out[key] = node[bound];
      else if (typeof value === "number") out[key] = value;
    } else if (key === "nullable") {
    } else if (key === "format") {
      out.format = value;
    } else if (key === "pattern" && typeof value === "string") {
      const pattern = toJsPattern(value);
      if (pattern !== undefined) out.pattern = pattern;
    } else {
      out[key] = toStrictSchema(value);
    }
  }
  if ((node.exclusiveMinimum === true && "minimum" in out) || (node.exclusiveMaximum === true && "maximum" in out)) {
    if (node.exclusiveMinimum === true) delete out.minimum;
    if (node.exclusiveMaximum === true) delete out.maximum;
  }
  if (node["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  if (node.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;
  if (!preserve && out.type === "object" && isRecord(out.properties) && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** Every served version of a CRD as `{apiVersion, kind, schema}`; top-level apiVersion/kind/metadata added. */
export function crdVersionSchemas(crd: unknown): CrdVersionSchema[] {
  if (!isRecord(crd) || !isRecord(crd.spec)) return [];
  const spec = crd.spec;
  const group = typeof spec.group === "string" ? spec.group : "";
  const kind = isRecord(spec.names) && typeof spec.names.kind === "string" ? spec.names.kind : "";
  if (!group || !kind || !Array.isArray(spec.versions)) return [];
  const out: CrdVersionSchema[] = [];
  for (const version of spec.versions) {
    if (!isRecord(version) || version.served === false || typeof version.name !== "string") continue;
    const openApi = isRecord(version.schema) ? version.schema.openAPIV3Schema : undefined;
    const strict = (toStrictSchema(openApi ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true }) ??
      {}) as Schema;
    const properties = isRecord(strict.properties) ? strict.properties : {};
    // Metadata of a custom resource is the ordinary ObjectMeta, not the CRD's (usually bare) `type: object`.
    const schema: Schema = {
      ...strict,
      type: "object",
      properties: { ...properties, metadata: { $ref: "kubernetes#/$defs/V1ObjectMeta" } },
    };
    if (openApi && !(isRecord(openApi) && openApi["x-kubernetes-preserve-unknown-fields"] === true)) {
      schema.additionalProperties = false;
    }
    out.push({ apiVersion: `${group}/${version.name}`, kind, schema });
  }
  return out;
}
