// kubeforge: one entry for every kubeforge package. Commands load on first use, so help answers fast.

import { readFileSync } from "node:fs";
import { runMain } from "@kubeforge/cli-kit";
import { rootCommand } from "./root.js";

const [first, ...rest] = process.argv.slice(2);
if ((first === "--version" || first === "-V") && rest.length === 0) {
  // dist/cli.js and src/cli.ts both sit one folder below package.json.
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  process.stdout.write(`kubeforge ${version}\n`);
} else {
  runMain(rootCommand);
}
