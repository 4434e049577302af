// The ordered document tree every format parses into, like sops' TreeBranch: mappings keep key order,
// comments are items, and scalars keep the Go type that decides the `type:` tag and the MAC bytes.

/** A comment line (`#` stripped, leading space kept). `inline` when it sat after a value on the same line. */
export class Comment {
  constructor(
    readonly text: string,
    readonly inline = false,
  ) {}
}

/** A YAML timestamp, held as its RFC 3339 (nanosecond) text: Go's `time.MarshalText`. */
export class SopsTime {
  constructor(readonly text: string) {}
}

/**
 * A leaf value: string (`str`), bigint (`int`), number (`float`), boolean (`bool`), SopsTime (`time`),
 * Uint8Array (a byte string that is not valid UTF-8, e.g. a binary file; encrypted as `str`) or null.
 */
export type Leaf = string | bigint | number | boolean | null | SopsTime | Uint8Array;

export type TreeValue = Leaf | TreeMap | TreeSeq;

export interface TreeEntry {
  readonly key: string;
  readonly value: TreeValue;
}

/** An ordered mapping; comments are items between entries. */
export class TreeMap {
  constructor(readonly items: Array<TreeEntry | Comment> = []) {}

  get(key: string): TreeValue | undefined {
    for (const item of this.items) if (!(item instanceof Comment) && item.key === key) return item.value;
    return undefined;
  }

  entries(): TreeEntry[] {
    return this.items.filter((item): item is TreeEntry => !(item instanceof Comment));
  }
}

export class TreeSeq {
  constructor(readonly items: Array<TreeValue | Comment> = []) {}
}

/** One document of a file (a YAML file may hold several). */
export type Branch = TreeMap;

export function isLeaf(value: TreeValue): value is Leaf {
  return !(value instanceof TreeMap) && !(value instanceof TreeSeq);
}

/** Plain JSON-like value of a tree (used for the metadata block and for tests). */
export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

export function treeToPlain(value: TreeValue): Plain {
  if (value instanceof TreeMap) {
    const out: { [key: string]: Plain } = {};
    for (const entry of value.entries()) out[entry.key] = treeToPlain(entry.value);
    return out;
  }
  if (value instanceof TreeSeq)
    return value.items.filter((i) => !(i instanceof Comment)).map((i) => treeToPlain(i as TreeValue));
  if (typeof value === "bigint") return Number(value);
  if (value instanceof SopsTime) return value.text;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("latin1");
  return value;
}

/** Builds a tree from a plain value; object keys keep insertion order. */
export function plainToTree(value: Plain): TreeValue {
  if (Array.isArray(value)) return new TreeSeq(value.map(plainToTree));
  if (value !== null && typeof value === "object") {
    return new TreeMap(Object.entries(value).map(([key, v]) => ({ key, value: plainToTree(v) })));
  }
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  return value;
}
