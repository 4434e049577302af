#!/usr/bin/env node
// A command that never answers: it writes the marker file given as its first argument (so a test knows the caller
// reached this point) and then waits until it is killed. Used as SOPS_AGE_KEY_CMD and as a fake `pnpm`.
import { writeFileSync } from "node:fs";

writeFileSync(process.argv[2] ?? process.env.FAKE_MARKER, `${process.argv.slice(3).join(" ")}\n`);
setInterval(() => {}, 1000);
