// kubeforge: one entry for every kubeforge package. Commands load on first use, so help answers fast.

import { runMain } from "@kubeforge/cli-kit";
import { rootCommand } from "./root.js";

runMain(rootCommand);
