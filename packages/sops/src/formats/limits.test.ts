// Issue 14 #4/#5: linear-time YAML, bounded alias expansion and nesting, no stack trace on any input.
import { describe, expect, it } from "vitest";
import { alice } from "../../test/keys.js";
import { decryptText } from "../operations/decrypt.js";
import { encryptText } from "../operations/encrypt.js";
import { parseJson } from "./json.js";
import { parseYaml, parseYamlWithLibrary } from "./yaml.js";

/** The classic "billion laughs": ten levels of nine aliases each, 470 bytes. */
function aliasBomb(): string {
  const levels = "abcdefghij";
  let text = `${levels[0]}: &${levels[0]} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n`;
  for (let i = 1; i < levels.length; i++) {
    const ref = `*${levels[i - 1]}`;
    text += `${levels[i]}: &${levels[i]} [${Array(9).fill(ref).join(",")}]\n`;
  }
  return text.padEnd(469, " ").concat("\n");
}

describe("parser limits", () => {
  it("refuses a 470-byte alias bomb with a clear error (no heap exhaustion)", () => {
    const bomb = aliasBomb();
    expect(bomb.length).toBe(470);
    expect(() => parseYaml(bomb)).toThrow(/aliases expand to too many nodes/);
  });

  it("still expands ordinary aliases", () => {
    const [branch] = parseYaml("base: &b {x: 1}\nother: *b\n");
    expect(branch?.entries().map((e) => e.key)).toEqual(["base", "other"]);
  });

  it("refuses 5,000 nested JSON arrays with a clear error, not a stack trace", () => {
    const text = `{"a": ${"[".repeat(5000)}${"]".repeat(5000)}}`;
    expect(() => parseJson(text)).toThrow(/nests deeper than 1000 levels/);
  });

  it("refuses 5,000 nested YAML flow sequences and block maps with a clear error", () => {
    expect(() => parseYaml(`a: ${"[".repeat(5000)}${"]".repeat(5000)}\n`)).toThrow(
      /SopsError|invalid YAML|nests deeper/,
    );
    let block = "";
    for (let i = 0; i < 1500; i++) block += `${" ".repeat(i)}k${i}:\n`;
    expect(() => parseYaml(`${block}${" ".repeat(1500)}v: 1\n`)).toThrow(/nests deeper than 1000 levels/);
  });

  it("finds duplicate keys itself (the library's check is quadratic) and names the path and line", () => {
    expect(() => parseYaml("a:\n    b: 1\n    c: 2\n    b: 3\n")).toThrow(/a\.b: duplicate key "b" at line 4/);
  });

  it("the full library reader takes 100k keys (its uniqueKeys check was quadratic: 64k keys took 32 s)", {
    timeout: 120_000,
  }, () => {
    let text = "";
    for (let i = 0; i < 100_000; i++) text += `key${i}: value${i} # a comment keeps it off the fast path\n`;
    expect(parseYamlWithLibrary(text)[0]?.entries()).toHaveLength(100_000);
  });

  it("a 200k-key Secret round-trips", { timeout: 120_000 }, async () => {
    let text = "apiVersion: v1\nkind: Secret\nstringData:\n";
    for (let i = 0; i < 200_000; i++) text += `    key${i}: ${"v".repeat(80)}${i}\n`;
    const encrypted = await encryptText(text, { format: "yaml", recipients: [alice.recipient] });
    const plain = await decryptText(encrypted, { format: "yaml", identities: [alice.identity] });
    expect(plain).toBe(text);
  });
});
