// Fixed age identities for tests (generated once; test-only).
import { readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./shared.js";

export const demoIdentity = readFileSync(path.join(repoRoot, "demo-keys/age.agekey"), "utf8")
  .split("\n")
  .find((line) => line.startsWith("AGE-SECRET-KEY-"))!;
export const demoRecipient = "age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8";

/** Two throwaway test keys (no secrets protect anything with them). */
export const alice = {
  identity: "AGE-SECRET-KEY-153V5ZHHEHDN3DCKTZYFKPPSDMY7TEEJ72RHNHDP0EAWJ4PM9F8YS4SLFH5",
  recipient: "age10gvvl3fmucc0g6r093m2xmt6a724npw3usfmgr7rss0cvmsrjpqszasyvn",
};
export const bob = {
  identity: "AGE-SECRET-KEY-1P7CQXNFNG2A5M9QJLWLJJAJ7LYMD0K97S52R4RWVM74GH7QGHZJSDKHJCY",
  recipient: "age1377ysjdwatt2psrtzklrlxvm7zafn3dm473sdphw8hj4cpcxq5zs783rzj",
};
