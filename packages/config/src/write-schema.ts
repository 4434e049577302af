// Build step: writes dist/cluster.schema.json. Not part of the public API.
import { writeFileSync } from "node:fs";
import { clusterJsonSchema } from "./json-schema.js";

const target = process.argv[2];
if (!target) throw new Error("usage: write-schema <file>");
writeFileSync(target, `${JSON.stringify(clusterJsonSchema(), null, 2)}\n`);
