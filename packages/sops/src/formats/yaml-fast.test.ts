// The fast reader must agree with the full one on everything it accepts (and decline the rest).
import { randomInt } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { vectorsDir } from "../../test/shared.js";
import { Comment, TreeMap, TreeSeq, type TreeValue } from "../tree.js";
import { parseYamlWithLibrary } from "./yaml.js";
import { emitYaml } from "./yaml-emit.js";
import { parseSimpleYaml } from "./yaml-fast.js";

function same(text: string): "fast" | "declined" {
  const fast = parseSimpleYaml(text);
  if (fast === undefined) return "declined";
  let slow: TreeMap[] | Error;
  try {
    slow = parseYamlWithLibrary(text);
  } catch (error) {
    slow = error as Error;
  }
  expect(slow, text).not.toBeInstanceOf(Error);
  expect(fast, text).toEqual(slow);
  return "fast";
}

const SCALARS = [
  "plain",
  "two words",
  "a:b",
  "x-y",
  "-5",
  "3.14",
  "1e3",
  "0x1F",
  "017",
  "1_000",
  "true",
  "False",
  "yes",
  "~",
  "null",
  "",
  " lead",
  "trail ",
  "line1\nline2",
  "line1\nline2\n",
  "ends\n\n",
  "it's",
  'say "hi"',
  "back\\slash",
  "ümlaut ✓",
  "ENC[AES256_GCM,data:YWJj,iv:aXY=,tag:dGFn,type:str]",
  "2024-01-01",
  "@at",
  "%pct",
  "a #hash",
  "colon: space",
  "-",
  "?",
  ":",
  "- dash",
  "[x]",
  "{y}",
  "&a",
  "*b",
  "!t",
  "|",
  ">",
  "'q'",
  '"d"',
  "10:20",
  "  ",
  "\ttab",
];
const KEYS = [
  "a",
  "b_c",
  "data",
  "stringData",
  "key.with.dots",
  "x/y",
  "1",
  "true",
  "k:v",
  "with space",
  "$dollar",
  "-k",
];

function randomValue(depth: number): unknown {
  const roll = randomInt(depth > 3 ? 6 : 10);
  if (roll < 6) return SCALARS[randomInt(SCALARS.length)];
  if (roll < 8) {
    const map: Record<string, unknown> = {};
    for (let i = randomInt(4); i >= 0; i--) map[KEYS[randomInt(KEYS.length)]!] = randomValue(depth + 1);
    return map;
  }
  return Array.from({ length: randomInt(4) }, () => randomValue(depth + 1));
}

function toTree(value: unknown): TreeValue {
  if (Array.isArray(value)) return new TreeSeq(value.map(toTree));
  if (value && typeof value === "object")
    return new TreeMap(Object.entries(value).map(([key, v]) => ({ key, value: toTree(v) })));
  return value as string;
}

describe("the fast YAML reader", () => {
  it("agrees with the full reader on 600 random documents written by our emitter and by the yaml library", () => {
    let fast = 0;
    for (let run = 0; run < 300; run++) {
      const doc: Record<string, unknown> = {};
      for (let i = randomInt(6); i >= 0; i--) doc[KEYS[randomInt(KEYS.length)]!] = randomValue(0);
      const ours = emitYaml([toTree(doc) as TreeMap], { indent: [2, 4][run % 2] });
      const theirs = stringify(doc, { indent: [2, 4][run % 2], lineWidth: 0 });
      if (same(ours) === "fast") fast++;
      if (same(theirs) === "fast") fast++;
      if (same(`${ours}---\n${ours}`) === "fast") fast++;
    }
    // most documents stay on the fast path, so this test exercises it
    expect(fast).toBeGreaterThan(150);
  });

  it("agrees on every YAML file in the shared sops vectors", () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const full = path.join(dir, name);
        return statSync(full).isDirectory() ? walk(full) : /\.ya?ml$/.test(name) ? [full] : [];
      });
    for (const file of walk(vectorsDir)) {
      const text = readFileSync(file, "utf8");
      try {
        parseYamlWithLibrary(text);
      } catch {
        expect(parseSimpleYaml(text), file).toBeUndefined();
        continue;
      }
      same(text);
    }
  });

  it.each([
    ["comments", "a: 1 # c\n"],
    ["flow", "a: [1, 2]\n"],
    ["anchors", "a: &x 1\nb: *x\n"],
    ["multi-line plain", "a: one\n  two\n"],
    ["escapes", 'a: "x\\ty"\n'],
    ["folded", "a: >\n  x\n"],
    ["tabs", "a:\tb\n"],
    ["duplicate keys", "a: 1\na: 2\n"],
    ["a top-level list", "- a\n"],
    ["keep chomping", "a: |+\n  x\n\n"],
    ["no final newline", "a: 1"],
  ])("declines %s", (_name, text) => {
    expect(parseSimpleYaml(text)).toBeUndefined();
  });

  it("reads what sops writes: nested maps, sequences of maps, literal blocks, quoted scalars", () => {
    const text = `data:
    a: ENC[AES256_GCM,data:YWJj,iv:aXY=,tag:dGFn,type:str]
list:
    - x
    - k: v
      j: |-
        two
        lines
sops:
    age:
        - recipient: age1abc
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdl
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2026-01-01T00:00:00Z"
    version: 3.13.2
`;
    expect(same(text)).toBe("fast");
    expect(Comment).toBeDefined();
  });
});
