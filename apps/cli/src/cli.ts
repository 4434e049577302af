// kubeforge: one entry for every kubeforge package. Commands load on first use, so help answers fast.

import { rootCommand } from "./root.js";
import { runMain } from "./run-main.js";

runMain(rootCommand);
