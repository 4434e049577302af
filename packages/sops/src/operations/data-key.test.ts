// When no identity opens the data key, the error tells a wrong key from a damaged file. Before, a stanza
// tampered with (or a file cut off inside its sops block) read "no age identity can decrypt the data key", with
// "encrypted to )" when the cut removed the recipient: the user went looking for another key, though theirs was right.
import { describe, expect, it } from "vitest";
import { alice, bob } from "../../test/keys.js";
import { SopsError } from "../errors.js";
import { decryptText } from "./decrypt.js";
import { encryptText } from "./encrypt.js";

const plain = "stringData:\n    password: hunter2\n";

async function failure(text: string, identities: string[]): Promise<SopsError> {
  try {
    await decryptText(text, { format: "yaml", identities, file: "s.sops.yaml" });
  } catch (error) {
    if (error instanceof SopsError) return error;
    throw error;
  }
  throw new Error("expected the decryption to fail");
}

/** The first base64 line of the armored age file, with one character changed near its end. */
function tamperStanza(text: string): string {
  const begin = text.indexOf("-----BEGIN AGE ENCRYPTED FILE-----");
  const start = text.indexOf("\n", begin) + 1;
  const end = text.indexOf("\n", start);
  const line = text.slice(start, end);
  const at = line.length - 6;
  const swapped = line[at] === "A" ? "B" : "A";
  return text.slice(0, start) + line.slice(0, at) + swapped + line.slice(at + 1) + text.slice(end);
}

describe("obtainDataKey's error", () => {
  it("says the file is damaged when the entry is for a key we hold and does not open with it", async () => {
    const sealed = await encryptText(plain, { format: "yaml", recipients: [alice.recipient] });
    const error = await failure(tamperStanza(sealed), [alice.identity]);
    expect(error.code).toBe("E_SOPS_NO_KEY");
    expect(error.reason).toBe(
      `the data key cannot be opened: sops.age[0] is for ${alice.recipient}, whose identity you hold, and it does not open with it`,
    );
    expect(error.hint).toMatch(/^the file is damaged .* git checkout -- s\.sops\.yaml$/);
  });

  it("says the file is damaged when an enc is not a whole age file (cut off)", async () => {
    const sealed = await encryptText(plain, { format: "yaml", recipients: [alice.recipient] });
    const cut = sealed.replace(/ {12}-----END AGE ENCRYPTED FILE-----\n/, "");
    const error = await failure(cut, [bob.identity]);
    expect(error.reason).toBe("the data key cannot be opened: sops.age[0].enc is not a complete age file");
  });

  it("still asks for the right key when the file is whole and the key is another one", async () => {
    const sealed = await encryptText(plain, { format: "yaml", recipients: [alice.recipient] });
    const error = await failure(sealed, [bob.identity]);
    expect(error.reason).toMatch(
      new RegExp(`^no age identity can decrypt the data key \\(encrypted to ${alice.recipient}\\)`),
    );
    expect(error.hint).toBe("provide a matching key in one of these sources");
  });

  it("names an entry without a recipient instead of printing an empty list", async () => {
    const sealed = await encryptText(plain, { format: "yaml", recipients: [alice.recipient] });
    const error = await failure(sealed.replace(/\n {10}recipient: age1\w+/, ""), [bob.identity]);
    expect(error.reason).toMatch(
      /^no age identity can decrypt the data key \(encrypted to \(an entry without a recipient\)\)/,
    );
  });
});
