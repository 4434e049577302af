// Strict schema validation for tests, as `kubectl --validate=strict` would do it: the validate app's
// schema registry (built-in kinds from its bundled Kubernetes schemas), with the upstream CRDs read from
// ../shared so tests check against the reference copies.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  crdVersionSchemas,
  readKubernetesSchemas,
  readKubernetesValidators,
  SchemaRegistry,
} from "@kubeforge/validate";
import { parseAllDocuments } from "yaml";
import { sharedDir } from "./paths.js";

export interface SchemaValidator {
  /** Error messages for one object; empty when valid. Throws when no schema covers the kind. */
  validate(object: { apiVersion: string; kind: string }): string[];
  has(apiVersion: string, kind: string): boolean;
}

function sharedCrds(folders: readonly string[]) {
  return folders.flatMap((folder) => {
    const dir = sharedDir("conformance/crds", folder);
    return readdirSync(dir)
      .filter((name) => name.endsWith(".yaml"))
      .sort()
      .flatMap((file) =>
        parseAllDocuments(readFileSync(path.join(dir, file), "utf8")).flatMap((document) =>
          crdVersionSchemas(document.toJS()),
        ),
      );
  });
}

export async function loadSchemaValidator(
  folders: readonly string[] = ["flux", "prometheus-operator"],
): Promise<SchemaValidator> {
  const [kubernetes, precompiled] = await Promise.all([readKubernetesSchemas(), readKubernetesValidators()]);
  const registry = new SchemaRegistry({ kubernetes, crds: sharedCrds(folders), precompiled });
  return {
    has: (apiVersion, kind) => registry.validate(apiVersion, kind, {}) !== undefined,
    validate(object) {
      const errors = registry.validate(object.apiVersion, object.kind, object);
      if (errors === undefined) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
      return errors.map((error) => `${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`);
    },
  };
}
