import { describe, expect, it } from "vitest";
import { alice, bob } from "../../test/keys.js";
import { encryptText, parsePlaintext, sealNewDocument } from "./encrypt.js";
import { readRecipients } from "./recipients.js";

describe("readRecipients", () => {
  it("lists the age recipients of every key group without decrypting", async () => {
    const one = await encryptText("a: b\n", { format: "yaml", recipients: [alice.recipient, bob.recipient] });
    expect(readRecipients(one, "yaml")).toEqual([alice.recipient, bob.recipient]);
    const groups = await sealNewDocument(parsePlaintext('{"a": 1}', "json"), {
      format: "json",
      recipientGroups: [[bob.recipient], [alice.recipient, bob.recipient]],
      rules: {},
    });
    expect(readRecipients(groups, "json")).toEqual([bob.recipient, alice.recipient]);
  });

  it("refuses a file that is not sops-encrypted", () => {
    expect(() => readRecipients("a: b\n", "yaml", { file: "x.yaml" })).toThrow(/x.yaml: not a sops file/);
  });
});
