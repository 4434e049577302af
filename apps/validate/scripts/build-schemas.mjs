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
  for (const attribute of model.attributeTypeMap) {
    const schema = typeSchema(attribute.type, attribute.format, attribute.baseName);
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

/**
 * Precompiles one validator per built-in kind with ajv's standalone code generator, so a run does not spend
 * seconds compiling the PodSpec graph. Options must match SchemaRegistry's runtime Ajv options.
 */
function buildKubernetesValidators(kubernetes) {
  const { Ajv2020 } = require("ajv/dist/2020.js");
  const standaloneCode = require("ajv/dist/standalone").default;
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    logger: false,
    code: { source: true, esm: true },
  });
  const base = "https://kubeforge.dev/schemas/";
  ajv.addSchema({ $id: `${base}kubernetes`, $defs: kubernetes.$defs });
  const exports = {};
  for (const definition of new Set(Object.values(kubernetes.kinds))) {
    ajv.addSchema({ $id: `${base}kind-${definition}`, $ref: `kubernetes#/$defs/${definition}` });
    exports[definition] = `${base}kind-${definition}`;
  }
  const header = "// Generated by scripts/build-schemas.mjs (ajv standalone) — do not edit.\n";
  return header + standaloneCode(ajv, exports);
}

await mkdir(outDir, { recursive: true });
const kubernetes = await buildKubernetesSchemas();
await writeAtomic(path.join(outDir, "kubernetes.json"), `${JSON.stringify(kubernetes)}\n`);
await writeAtomic(path.join(outDir, "kubernetes-validators.js"), buildKubernetesValidators(kubernetes));
await cp(path.join(packageDir, "schemas", "crds"), path.join(outDir, "crds"), { recursive: true });
await cp(path.join(packageDir, "schemas", "talos"), path.join(outDir, "talos"), { recursive: true });
console.log(
  `schemas: ${Object.keys(kubernetes.kinds).length} Kubernetes ${kubernetes.kubernetesVersion} kinds, ${Object.keys(kubernetes.$defs).length} definitions`,
);
