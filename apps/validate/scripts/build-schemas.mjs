// Build step: writes dist/schemas/ so the validator never needs the network at run time.
// - kubernetes.json: strict JSON Schemas ($defs) for every built-in kind, generated from the model classes of
//   @kubernetes/client-node (OpenAPI of the Kubernetes release it was generated from). The list of
//   apiVersion/kind pairs comes from kubernetes-models (dev dependency, read at build time only).
// - crds/*.yaml and talos/*.json: copied from ../schemas (see schemas/README.md for their upstream releases).
import { cp, mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.join(packageDir, "dist", "schemas");
const require = createRequire(path.join(packageDir, "package.json"));
const clientDir = path.dirname(require.resolve("@kubernetes/client-node/package.json"));
const modelsDir = path.join(clientDir, "dist", "gen", "models");
const kindsDir = path.dirname(require.resolve("kubernetes-models/package.json"));

/** OpenAPI formats that the API server treats loosely (same list as SchemaRegistry). */
const OPENAPI_FORMATS = ["int32", "int64", "float", "double", "byte", "binary", "password", "duration", "quantity"];

// Fields whose values are resource.Quantity: the API server accepts a number or a string there.
const QUANTITY_FIELDS = new Set([
  "limits",
  "requests",
  "hard",
  "used",
  "capacity",
  "allocatable",
  "default",
  "defaultRequest",
  "max",
  "min",
  "maxLimitRequestRatio",
  "overhead",
  "sizeLimit",
]);

async function listKinds() {
  const kinds = [];
  async function walk(dir) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith("_")) await walk(full);
      else if (entry.name.endsWith(".d.ts") && entry.name !== "index.d.ts") {
        const text = await readFile(full, "utf8");
        const apiVersion = /^\s*"apiVersion": "([^"]+)";/m.exec(text)?.[1];
        const kind = /^\s*"kind": "([^"]+)";/m.exec(text)?.[1];
        if (apiVersion && kind && !kind.endsWith("List")) kinds.push({ apiVersion, kind });
      }
    }
  }
  await walk(kindsDir);
  return kinds.sort((a, b) => `${a.apiVersion}/${a.kind}`.localeCompare(`${b.apiVersion}/${b.kind}`));
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function modelExists(name) {
  try {
    await readFile(path.join(modelsDir, `${name}.js`));
    return true;
  } catch {
    return false;
  }
}

async function findModel({ apiVersion, kind }) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  const groupPrefix = capitalize(group.split(".")[0]);
  for (const name of [`${groupPrefix}${capitalize(version)}${kind}`, `${capitalize(version)}${kind}`]) {
    if (await modelExists(name)) return name;
  }
  return undefined;
}

// Enums. client-node's models keep an enum field as a bare `string`, so a Service `type: loadbalancer` or a
// port `protocol: tcp` would pass, though the API server rejects both. kubernetes-models' declarations are
// generated from the same OpenAPI with the enums kept as string-literal unions (`"protocol"?: "SCTP" | "TCP" |
// "UDP";`): they are read here, per model and field, and added to the schema as `enum`. Only fields the OpenAPI
// marks as enums have such unions; a field whose union is ambiguous (two kubernetes-models files fit the
// model's name) gets none.

/** kubernetes-models declaration files by the model names client-node could give them (`V1ServicePort`, `CoreV1ServicePort`). */
async function enumDeclarations() {
  const byName = new Map();
  async function walk(dir, group) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name.startsWith("_") || entry.name === "node_modules") continue;
        if (/^v\d+((alpha|beta)\d+)?$/.test(entry.name)) await walk(full, { group, version: entry.name });
        else if (group === undefined) await walk(full, entry.name);
      } else if (entry.name.endsWith(".d.ts") && entry.name !== "index.d.ts" && typeof group === "object") {
        const short = entry.name.slice(0, -".d.ts".length);
        const prefix = capitalize((group.group ?? "core").split(".")[0]);
        for (const name of [`${capitalize(group.version)}${short}`, `${prefix}${capitalize(group.version)}${short}`]) {
          byName.set(name, [...(byName.get(name) ?? []), full]);
        }
      }
    }
  }
  await walk(kindsDir, undefined);
  return byName;
}

/** `field → allowed values` of a declaration's `I<Name>` interface (an array field: the values of its items). */
async function enumsOf(file) {
  const text = await readFile(file, "utf8");
  const body = /^export interface I\w+ \{\n([\s\S]*?)^\}/m.exec(text)?.[1] ?? "";
  const enums = {};
  for (const match of body.matchAll(/^ {4}"([^"]+)"\??: (Array<)?((?:"[^"\\]*"(?: \| )?)+)>?;$/gm)) {
    enums[match[1]] = { array: Boolean(match[2]), values: [...match[3].matchAll(/"([^"\\]*)"/g)].map((m) => m[1]) };
  }
  return enums;
}

let declarations;
/** The enums of client-node model `name`'s fields, or {} when no single kubernetes-models declaration fits. */
async function modelEnums(name) {
  declarations ??= await enumDeclarations();
  const files = declarations.get(name) ?? [];
  return files.length === 1 ? enumsOf(files[0]) : {};
}

async function requiredFields(name) {
  const text = await readFile(path.join(modelsDir, `${name}.d.ts`), "utf8");
  return [...text.matchAll(/^ {4}'([A-Za-z0-9_$-]+)': /gm)].map((match) => match[1]);
}

function typeSchema(type, format, field) {
  if (type === "string") {
    if (QUANTITY_FIELDS.has(field)) return { type: ["string", "number"] };
    return { type: "string" };
  }
  if (type === "number") return format === "int32" || format === "int64" ? { type: "integer" } : { type: "number" };
  if (type === "boolean") return { type: "boolean" };
  if (type === "Date" || type === "V1MicroTime") return { type: "string" };
  if (type === "IntOrString") return { type: ["integer", "string"] };
  if (type === "any") return {};
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: "array", items: typeSchema(array[1], format, field) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: "object", additionalProperties: typeSchema(map[1], format, field) };
  return { $ref: `#/$defs/${type}` };
}

async function modelSchema(name, defs) {
  if (defs[name]) return;
  defs[name] = {};
  const module = await import(path.join(modelsDir, `${name}.js`));
  const model = module[name];
  const properties = {};
  const refs = [];
  const enums = await modelEnums(name);
  for (const attribute of model.attributeTypeMap) {
    const schema = typeSchema(attribute.type, attribute.format, attribute.baseName);
    const allowed = enums[attribute.baseName];
    if (allowed && !allowed.array && schema.type === "string") schema.enum = allowed.values;
    if (allowed?.array && schema.type === "array" && schema.items?.type === "string")
      schema.items.enum = allowed.values;
    properties[attribute.baseName] = schema;
    const ref = JSON.stringify(schema).match(/#\/\$defs\/([A-Za-z0-9]+)/);
    if (ref) refs.push(ref[1]);
  }
  const required = (await requiredFields(name)).filter((field) => field in properties);
  defs[name] = { type: "object", properties, additionalProperties: false, ...(required.length ? { required } : {}) };
  for (const ref of refs) await modelSchema(ref, defs);
}

async function buildKubernetesSchemas() {
  const defs = {};
  const kinds = {};
  for (const entry of await listKinds()) {
    const name = await findModel(entry);
    if (!name) continue;
    await modelSchema(name, defs);
    kinds[`${entry.apiVersion}/${entry.kind}`] = name;
  }
  const header = await readFile(path.join(modelsDir, "V1Namespace.js"), "utf8");
  const version = /OpenAPI spec version: (v[0-9.]+)/.exec(header)?.[1] ?? "unknown";
  const clientVersion = JSON.parse(await readFile(path.join(clientDir, "package.json"), "utf8")).version;
  return {
    kubernetesVersion: version,
    source: `@kubernetes/client-node ${clientVersion} generated models`,
    kinds,
    $defs: Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))),
  };
}

async function writeAtomic(file, text) {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

// ajv's standalone code reaches its runtime helpers (formats, ucs2length) with `require`, which an ES module
// has to create for itself.
const HEADER =
  "// Generated by scripts/build-schemas.mjs (ajv standalone) — do not edit; `pnpm build` regenerates it.\n" +
  'import { createRequire } from "node:module";\nconst require = createRequire(import.meta.url);\n';

/** A JavaScript identifier for a validator export (`source.toolkit.fluxcd.io/v1/GitRepository` → `crd_source_…`). */
function exportName(prefix, key) {
  return `${prefix}_${key.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/**
 * Precompiles one validator per built-in kind and per bundled CRD version with ajv's standalone code generator,
 * so a run compiles nothing for them (the PodSpec graph and the Flux CRDs take seconds to compile). Options
 * must match SchemaRegistry's runtime Ajv options. `CRD_VALIDATORS` maps `apiVersion/kind` to its export.
 */
function buildKubernetesValidators(kubernetes, crds) {
  const { Ajv2020 } = require("ajv/dist/2020.js");
  const addFormats = require("ajv-formats");
  const standaloneCode = require("ajv/dist/standalone").default;
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    logger: false,
    code: { source: true, esm: true, formats: undefined },
  });
  addFormats(ajv);
  for (const format of OPENAPI_FORMATS) ajv.addFormat(format, true);
  const base = "https://kubeforge.dev/schemas/";
  ajv.addSchema({ $id: `${base}kubernetes`, $defs: kubernetes.$defs });
  const exports = {};
  for (const definition of new Set(Object.values(kubernetes.kinds))) {
    ajv.addSchema({ $id: `${base}kind-${definition}`, $ref: `kubernetes#/$defs/${definition}` });
    exports[definition] = `${base}kind-${definition}`;
  }
  const crdExports = {};
  for (const crd of crds) {
    const key = `${crd.apiVersion}/${crd.kind}`;
    const name = exportName("crd", key);
    ajv.addSchema({ ...crd.schema, $id: `${base}${name}` });
    exports[name] = `${base}${name}`;
    crdExports[key] = name;
  }
  return `${HEADER + standaloneCode(ajv, exports)}\nexport const CRD_VALIDATORS = ${JSON.stringify(crdExports)};\n`;
}

/**
 * Precompiles the Talos machine-config documents of one schema file (the main config and every document kind),
 * with the same adjustment TalosSchema makes at run time (`persist`). `DEFINITIONS` maps `$defs` names to exports.
 */
function buildTalosValidators(schema) {
  const { Ajv2020 } = require("ajv/dist/2020.js");
  const standaloneCode = require("ajv/dist/standalone").default;
  const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false, code: { source: true, esm: true } });
  ajv.addFormat("uri", true);
  const config = schema.$defs?.["v1alpha1.Config"];
  if (config?.properties && !("persist" in config.properties)) config.properties.persist = { type: "boolean" };
  const base = "https://kubeforge.dev/talos/";
  ajv.addSchema({ ...schema, $id: `${base}talos`, oneOf: undefined });
  const exports = {};
  const definitions = {};
  for (const [name, definition] of Object.entries(schema.$defs ?? {})) {
    if (name !== "v1alpha1.Config" && !definition.properties?.kind) continue;
    const exported = exportName("talos", name);
    ajv.addSchema({ $id: `${base}${exported}`, $ref: `talos#/$defs/${name}` });
    exports[exported] = `${base}${exported}`;
    definitions[name] = exported;
  }
  return `${HEADER + standaloneCode(ajv, exports)}\nexport const DEFINITIONS = ${JSON.stringify(definitions)};\n`;
}

/** Bundled CRDs as strict schemas, read with the same conversion the run uses (from the built package). */
async function readCrdSchemas() {
  const { parseAllDocuments } = require("yaml");
  const { crdVersionSchemas } = await import(path.join(packageDir, "dist", "index.js"));
  const crdDir = path.join(packageDir, "schemas", "crds");
  const out = [];
  for (const name of (await readdir(crdDir)).filter((file) => file.endsWith(".yaml")).sort()) {
    for (const document of parseAllDocuments(await readFile(path.join(crdDir, name), "utf8"))) {
      out.push(...crdVersionSchemas(document.toJS()));
    }
  }
  return out;
}

await mkdir(outDir, { recursive: true });
const kubernetes = await buildKubernetesSchemas();
const crds = await readCrdSchemas();
await writeAtomic(path.join(outDir, "kubernetes.json"), `${JSON.stringify(kubernetes)}\n`);
await writeAtomic(path.join(outDir, "crds.json"), `${JSON.stringify(crds)}\n`);
await writeAtomic(path.join(outDir, "kubernetes-validators.js"), buildKubernetesValidators(kubernetes, crds));
await cp(path.join(packageDir, "schemas", "crds"), path.join(outDir, "crds"), { recursive: true });
await cp(path.join(packageDir, "schemas", "talos"), path.join(outDir, "talos"), { recursive: true });
for (const name of await readdir(path.join(packageDir, "schemas", "talos"))) {
  if (!name.endsWith(".json")) continue;
  const schema = JSON.parse(await readFile(path.join(packageDir, "schemas", "talos", name), "utf8"));
  await writeAtomic(
    path.join(outDir, "talos", name.replace(/\.json$/, ".validators.js")),
    buildTalosValidators(schema),
  );
}
console.log(
  `schemas: ${Object.keys(kubernetes.kinds).length} Kubernetes ${kubernetes.kubernetesVersion} kinds, ${Object.keys(kubernetes.$defs).length} definitions`,
);
