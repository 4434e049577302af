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

function sameLeaf(a: Leaf, b: Leaf): boolean {
  if (a instanceof SopsTime || b instanceof SopsTime)
    return a instanceof SopsTime && b instanceof SopsTime && a.text === b.text;
  if (a instanceof Uint8Array || b instanceof Uint8Array)
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
  return Object.is(a, b);
}

function sameItem(a: TreeValue | TreeEntry | Comment, b: TreeValue | TreeEntry | Comment): boolean {
  if (a instanceof Comment || b instanceof Comment)
    return a instanceof Comment && b instanceof Comment && a.text === b.text && a.inline === b.inline;
  if (a instanceof TreeMap || b instanceof TreeMap)
    return a instanceof TreeMap && b instanceof TreeMap && sameItems(a.items, b.items);
  if (a instanceof TreeSeq || b instanceof TreeSeq)
    return a instanceof TreeSeq && b instanceof TreeSeq && sameItems(a.items, b.items);
  const entryA = a !== null && typeof a === "object" && "key" in a;
  const entryB = b !== null && typeof b === "object" && "key" in b;
  if (entryA || entryB)
    return entryA && entryB && a.key === b.key && sameItem((a as TreeEntry).value, (b as TreeEntry).value);
  return sameLeaf(a as Leaf, b as Leaf);
}

function sameItems(
  a: ReadonlyArray<TreeValue | TreeEntry | Comment>,
  b: ReadonlyArray<TreeValue | TreeEntry | Comment>,
): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameItem(a[i]!, b[i]!)) return false;
  return true;
}

/** Whether two documents are the same tree: keys, order, comments, and each leaf's value and Go type. */
export function sameBranches(a: readonly TreeMap[], b: readonly TreeMap[]): boolean {
  return sameItems(a, b);
}
