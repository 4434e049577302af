import { it } from "vitest";
import { encryptText } from "../src/operations/encrypt.js";
import { decryptText } from "../src/operations/decrypt.js";
import { alice } from "../test/keys.js";
it("x", async () => {
  const y = "# top\nstr: hi # inl\nlist:\n  - a # x\n  # before b\n  - b\nmap: # on key\n  k: v\n  # foot\nq: 'foo: bar'\n";
  const e = await encryptText(y, { format: "yaml", recipients: [alice.recipient] });
  console.log(e.slice(0, e.indexOf("sops:")));
  console.log(await decryptText(e, { format: "yaml", identities: [alice.identity] }));
  const j = await encryptText('{"a": 1, "b": [true, null, 1.5], "c": {}}', { format: "json", recipients: [alice.recipient] });
  console.log(j);
  console.log(await decryptText(j, { format: "json", identities: [alice.identity] }));
  const d = await encryptText("#c\nA=1\n", { format: "dotenv", recipients: [alice.recipient] });
  console.log(d);
  const i = await encryptText("[s]\na = 1\n", { format: "ini", recipients: [alice.recipient] });
  console.log(i);
});
