// decodeArmor must accept and refuse exactly what age-encryption's armor.decode does (it replaces it on
// the decrypt path so that path does not load age-encryption).
import { randomBytes } from "node:crypto";
import { armor } from "age-encryption";
import { describe, expect, it } from "vitest";
import { decodeArmor } from "./armor.js";

const outcome = (decode: (text: string) => Uint8Array, text: string) => {
  try {
    return Buffer.from(decode(text)).toString("hex");
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
};
const agree = (text: string) => expect([text, outcome(decodeArmor, text)]).toEqual([text, outcome(armor.decode, text)]);

describe("decodeArmor", () => {
  it("decodes armored files of every length class (one line, exactly 64 columns, several lines)", () => {
    for (const size of [1, 2, 3, 32, 47, 48, 49, 96, 200, 1000]) {
      const file = randomBytes(size);
      const text = armor.encode(file);
      expect(Buffer.from(decodeArmor(text)).equals(file)).toBe(true);
      agree(text);
      agree(`\n  ${text.replaceAll("\n", "\r\n")}  \n`);
    }
  });

  it("refuses what age-encryption refuses, with the same reason", () => {
    const text = armor.encode(randomBytes(100));
    const lines = text.trimEnd().split("\n");
    const cases = [
      "",
      text.replace("BEGIN", "BEGIN "),
      text.replace("-----END AGE ENCRYPTED FILE-----", "-----END AGE FILE-----"),
      text.replace(lines[1]!, lines[1]!.slice(1)),
      text.replace(lines[1]!, `${lines[1]!}AAAA`),
      text.replace(lines.at(-2)!, `${lines.at(-2)!.slice(0, -1)}`),
      text.replace(lines.at(-2)!, `${lines.at(-2)!.slice(0, -1)}*`),
      text.replace(lines[1]!, `${lines[1]!.slice(0, 63)}!`),
      text.replace(lines.at(-2)!, `${lines.at(-2)!} `),
      [lines[0], lines.at(-1)].join("\n"),
      [lines[0], "", lines.at(-1)].join("\n"),
      text.replace(lines.at(-2)!, `${lines.at(-2)!.slice(0, -4)}AA==`),
      text.replace(lines.at(-2)!, `${lines.at(-2)!.slice(0, -4)}A===`),
    ];
    for (const edited of cases) agree(edited);
    expect(() => decodeArmor(cases[3]!)).toThrow(/invalid line length/);
  });

  it("agrees on 2,000 random edits of an armored file", () => {
    const text = armor.encode(randomBytes(130));
    const pieces = ["\n", "\r\n", " ", "=", "A", "-", "*", "", "-----"];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let n = 0; n < 2000; n++) {
      const at = Math.floor(random() * text.length);
      const cut = Math.floor(random() * 3);
      agree(text.slice(0, at) + pieces[Math.floor(random() * pieces.length)] + text.slice(at + cut));
    }
  });
});
