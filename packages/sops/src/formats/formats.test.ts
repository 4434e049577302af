import { describe, expect, it } from "vitest";
import { formatFloatF, formatFloatYaml } from "../go-format.js";
import { SopsTime, TreeMap, treeToPlain } from "../tree.js";
import { flattenMetadata, unflattenMetadata } from "./flatten.js";
import { emitJson, parseJson } from "./json.js";
import { parseYaml } from "./yaml.js";
import { mustQuoteString, resolvePlainScalar } from "./yaml-scalars.js";

describe("Go number formatting", () => {
  it.each([
    [3.14, "3.14", "3.14"],
    [1, "1", "1"],
    [1234568000, "1234568000", "1.234568e+09"],
    [1.5e-7, "0.00000015", "1.5e-07"],
    [1e21, "1000000000000000000000", "1e+21"],
    [-0, "-0", "-0"],
    [Number.POSITIVE_INFINITY, "+Inf", ".inf"],
    [Number.NaN, "NaN", ".nan"],
  ])("%s → %s (MAC) / %s (YAML)", (value, mac, yaml) => {
    expect(formatFloatF(value)).toBe(mac);
    expect(formatFloatYaml(value)).toBe(yaml);
  });
});

describe("yaml.v3 scalar resolution", () => {
  it.each([
    ["017", 15n],
    ["0o17", 15n],
    ["0x1F", 31n],
    ["0b101", 5n],
    ["1_000", 1000n],
    ["+5", 5n],
    ["08", 8],
    ["1.0", 1],
    [".5", 0.5],
    ["yes", "yes"],
    ["True", true],
    ["~", null],
    ["2024-01-01", new SopsTime("2024-01-01T00:00:00Z")],
    ["2024-1-2 3:04:05.5", new SopsTime("2024-01-02T03:04:05.5Z")],
    ["2024-01-01T10:00:00+02:00", new SopsTime("2024-01-01T10:00:00+02:00")],
  ])("%s", (text, value) => {
    expect(resolvePlainScalar(text)).toEqual(value);
  });

  it("quotes strings go-yaml would quote", () => {
    for (const text of ["yes", "on", "123", "1.5", "true", "", "null", "2024-01-01", "1:20"])
      expect(mustQuoteString(text)).toBe(true);
    for (const text of ["hello", "v1", "ENC[AES256_GCM,data:x]"]) expect(mustQuoteString(text)).toBe(false);
  });

  it("rejects non-string keys, top-level lists and duplicate keys", () => {
    expect(() => parseYaml("80: http\n")).toThrow(/non-string key/);
    expect(() => parseYaml("- a\n")).toThrow(/must be a mapping/);
    expect(() => parseYaml("a: 1\na: 2\n")).toThrow(/a: duplicate key "a" at line 2/);
  });

  it("expands aliases", () => {
    const [branch] = parseYaml("base: &b {x: 1}\ncopy: *b\n");
    expect(treeToPlain(branch!)).toEqual({ base: { x: 1 }, copy: { x: 1 } });
  });
});

describe("JSON store", () => {
  it("keeps key order (integer-like keys too) and writes Go's layout", () => {
    const tree = parseJson('{"b": 1, "10": 2, "a": [], "c": {}, "h": "<&>", "f": 1.50, "big": 9223372036854775808}');
    expect(tree.entries().map((e) => e.key)).toEqual(["b", "10", "a", "c", "h", "f", "big"]);
    expect(emitJson(tree)).toBe(
      '{\n\t"b": 1,\n\t"10": 2,\n\t"a": [],\n\t"c": {},\n\t"h": "\\u003c\\u0026\\u003e",\n\t"f": 1.5,\n\t"big": 9223372036854776000\n}\n',
    );
    expect(() => parseJson('{"a": 1,}')).toThrow(/invalid JSON at line 1/);
    expect(() => parseJson("[1]")).toThrow(/must be an object/);
    expect(emitJson(new TreeMap(), { indent: 2 })).toBe("{}\n");
  });
});

describe("flattened metadata (dotenv, INI)", () => {
  it("round-trips", () => {
    const meta = {
      age: [{ enc: "a\nb", recipient: "age1x" }],
      key_groups: [{ age: [{ enc: "e" }] }],
      lastmodified: "t",
      mac_only_encrypted: true,
    };
    const flat = flattenMetadata(meta);
    expect(flat).toContainEqual(["age__list_0__map_enc", "a\nb"]);
    expect(flat).toContainEqual(["key_groups__list_0__map_age__list_0__map_enc", "e"]);
    expect(unflattenMetadata(flat)).toEqual({ ...meta, mac_only_encrypted: "true" });
  });
});
