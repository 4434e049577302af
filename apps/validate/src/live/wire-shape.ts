// client-node returns typed model instances whose property names can differ from the JSON ones
// (`_default`, `_from`); this turns them back into the API's JSON shape using each model's attributeTypeMap.

interface Attribute {
  readonly name: string;
  readonly baseName: string;
}

function attributesOf(value: object): readonly Attribute[] | undefined {
  const map = (value.constructor as { attributeTypeMap?: unknown }).attributeTypeMap;
  return Array.isArray(map) ? (map as Attribute[]) : undefined;
}

export function toWireShape(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toWireShape);
  if (typeof value !== "object" || value === null) return value;
  const attributes = attributesOf(value);
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (attributes) {
    for (const attribute of attributes) {
      if (record[attribute.name] !== undefined) out[attribute.baseName] = toWireShape(record[attribute.name]);
    }
    return out;
  }
  for (const [key, item] of Object.entries(record)) out[key] = toWireShape(item);
  return out;
}
