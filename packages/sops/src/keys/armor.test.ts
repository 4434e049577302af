// decodeArmor must accept and refuse exactly what age-encryption's armor.decode does (it replaces it on
// the decrypt path so that path does not load age-encryption), and read what the Go age CLI writes.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { armor } from "age-encryption";
import { afterAll, describe, expect, it } from "vitest";
import { alice } from "../../test/keys.js";
import { runTool } from "../../test/tool.js";
import { decodeArmor } from "./armor.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-armor-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The decoded bytes, or "refused" (the messages differ: only acceptance and bytes must agree). */
const outcome = (decode: (text: string) => Uint8Array, text: string) => {
  try {
    return Buffer.from(decode(text)).toString("hex");
  } catch {
    return "refused";
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

  it("refuses what age-encryption refuses", () => {
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
      // a last line longer than 64 columns (68: 17 whole groups), and a middle line of 68
      text.replace(`${lines.at(-3)!}\n${lines.at(-2)!}`, `${lines.at(-3)!}${lines.at(-2)!.slice(0, 4)}`),
      text.replace(
        `${lines.at(-3)!}\n${lines.at(-2)!}`,
        `${lines.at(-3)!}${lines.at(-2)!.slice(0, 4)}\n${lines.at(-2)!.slice(4)}`,
      ),
    ];
    for (const edited of cases) agree(edited);
    expect(() => decodeArmor(cases[3]!)).toThrow(/not an age armored file/);
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

describe("decodeArmor on what the age CLI writes", () => {
  it("gives the binary file `age --decrypt` opens (files of 1 byte to several armor lines)", () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-sops-armor-"));
    const keyFile = path.join(dir, "key.txt");
    writeFileSync(keyFile, `${alice.identity}\n`);
    for (const size of [1, 31, 32, 48, 100, 1000]) {
      const plain = randomBytes(size);
      const armored = runTool("age", ["--encrypt", "--armor", "-r", alice.recipient], plain).toString("utf8");
      const binary = path.join(dir, `f${size}.age`);
      writeFileSync(binary, decodeArmor(armored));
      expect(runTool("age", ["--decrypt", "-i", keyFile, binary]).equals(plain)).toBe(true);
    }
  });
});
