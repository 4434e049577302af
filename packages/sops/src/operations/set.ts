// sops set / unset on a decrypted tree: a `["a"]["b"][0]` path, a JSON value; pure, returns a new tree.
import { SopsError } from "../errors.js";
import { parseJson } from "../formats/json.js";
import { Comment, TreeMap, TreeSeq, type TreeValue } from "../tree.js";
import { parseExtractPath } from "./extract.js";

/** Parses a set/unset index; an invalid one is a usage error (sops exits 7). */
export function parseTreePath(expression: string): Array<string | number> {
  try {
    return parseExtractPath(expression);
  } catch {
    throw new SopsError("E_SOPS_USAGE", `invalid index ${JSON.stringify(expression)}`, {
      hint: `write it like '["data"]["password"]' or '["list"][0]'`,
    });
  }
}

/** A JSON value as a tree value (ints stay ints, as sops' --set reads them). */
export function jsonToTree(text: string): TreeValue {
  try {
    return parseJson(`{"v": ${text}}`).get("v") as TreeValue;
  } catch {
    throw new SopsError("E_SOPS_USAGE", `the value is not valid JSON: ${JSON.stringify(text.slice(0, 40))}`, {
      hint: `quote strings as JSON: '"secret"'`,
    });
  }
}

function setIn(node: TreeValue | undefined, path: ReadonlyArray<string | number>, value: TreeValue): TreeValue {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === "number" && node instanceof TreeSeq) {
    const items = [...node.items];
    let seen = -1;
    const at = items.findIndex((item) => !(item instanceof Comment) && ++seen === head);
    if (at === -1) items.push(setIn(undefined, rest, value));
    else items[at] = setIn(items[at] as TreeValue, rest, value);
    return new TreeSeq(items);
  }
  if (typeof head === "number" && (node === undefined || node === null)) {
    return new TreeSeq([setIn(undefined, rest, value)]);
  }
  const map = node instanceof TreeMap ? node : new TreeMap();
  const key = String(head);
  const items = [...map.items];
  const at = items.findIndex((item) => !(item instanceof Comment) && item.key === key);
  const current = at === -1 ? undefined : (items[at] as { value: TreeValue }).value;
  const entry = { key, value: setIn(current, rest, value) };
  if (at === -1) items.push(entry);
  else items[at] = entry;
  return new TreeMap(items);
}

/** Sets `value` at `path`, creating missing mappings (and a list for a numeric index), as sops set does. */
export function setValue(branch: TreeMap, path: ReadonlyArray<string | number>, value: TreeValue): TreeMap {
  return setIn(branch, path, value) as TreeMap;
}

/** Removes the value at `path`; a missing component is an error naming it. */
export function unsetValue(branch: TreeMap, path: ReadonlyArray<string | number>): TreeMap {
  const remove = (node: TreeValue, rest: ReadonlyArray<string | number>): TreeValue => {
    const [head, ...tail] = rest;
    const missing = () =>
      new SopsError("E_SOPS_EXTRACT", `component ${JSON.stringify(head)} not found`, { hint: "check the index" });
    if (node instanceof TreeMap) {
      const items = [...node.items];
      const at = items.findIndex((item) => !(item instanceof Comment) && item.key === String(head));
      if (at === -1) throw missing();
      if (tail.length === 0) items.splice(at, 1);
      else items[at] = { key: String(head), value: remove((items[at] as { value: TreeValue }).value, tail) };
      return new TreeMap(items);
    }
    if (node instanceof TreeSeq && typeof head === "number") {
      const items = [...node.items];
      let seen = -1;
      const at = items.findIndex((item) => !(item instanceof Comment) && ++seen === head);
      if (at === -1) throw missing();
      if (tail.length === 0) items.splice(at, 1);
      else items[at] = remove(items[at] as TreeValue, tail);
      return new TreeSeq(items);
    }
    throw missing();
  };
  return remove(branch, path) as TreeMap;
}
