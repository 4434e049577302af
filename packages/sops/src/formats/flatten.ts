// The flat key form sops uses for metadata in dotenv and INI files: `age__list_0__map_enc`.
import type { Plain } from "../tree.js";

/** Flattens a metadata object into ordered `[key, text]` pairs. */
export function flattenMetadata(value: { [key: string]: Plain }): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const visit = (prefix: string, node: Plain) => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) visit(`${prefix}__list_${i}`, item);
    } else if (node !== null && typeof node === "object") {
      for (const [key, item] of Object.entries(node)) visit(`${prefix}__map_${key}`, item);
    } else out.push([prefix, node === null ? "" : String(node)]);
  };
  for (const [key, item] of Object.entries(value)) visit(key, item);
  return out;
}

function flatKeyPath(flatKey: string): Array<string | number> {
  const parts = flatKey.split(/(__list_\d+|__map_)/);
  const path: Array<string | number> = [parts[0]!];
  for (let i = 1; i < parts.length; i += 2) {
    const separator = parts[i]!;
    if (separator === "__map_") path.push(parts[i + 1]!);
    else {
      path.push(Number(separator.slice("__list_".length)));
      if (parts[i + 1]) path.push(parts[i + 1]!);
    }
  }
  return path;
}

/** Rebuilds the metadata object from flat keys; every leaf stays a string. */
export function unflattenMetadata(pairs: ReadonlyArray<readonly [string, string]>): { [key: string]: Plain } {
  const root: { [key: string]: Plain } = {};
  for (const [flatKey, text] of pairs) {
    const path = flatKeyPath(flatKey);
    let container = root as Record<string | number, Plain>;
    path.forEach((segment, index) => {
      if (index === path.length - 1) {
        container[segment] = text;
        return;
      }
      const nextIsIndex = typeof path[index + 1] === "number";
      let child = container[segment];
      if (child === undefined || child === null || typeof child !== "object") {
        child = nextIsIndex ? [] : {};
        container[segment] = child;
      }
      container = child as Record<string | number, Plain>;
    });
  }
  return root;
}
