// kubeforge: one entry for every kubeforge package. Commands load on first use, so help answers fast.

import { isVersionRequest, runMain, versionLine } from "@kubeforge/cli-kit";
import { rootCommand } from "./root.js";

// `--version`, `-v` or `-V` alone, as every kubeforge CLI answers it
if (isVersionRequest(process.argv.slice(2))) {
  // dist/cli.js and src/cli.ts both sit one folder below package.json.
  process.stdout.write(versionLine("kubeforge", new URL("../package.json", import.meta.url)));
} else {
  runMain(rootCommand);
}
