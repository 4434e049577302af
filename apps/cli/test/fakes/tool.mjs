#!/usr/bin/env node
// A fake talosctl / helm / kubectl / flux: logs its argv as a JSON line to $FAKE_LOG and answers like the real tool
// would for bootstrap's calls. `talosctl kubeconfig <file>` writes a kubeconfig for $FAKE_API_URL (loopback only;
// client-node speaks plain http only with insecure-skip-tls-verify).
// With $FAKE_HANG_ON set, a call whose argv contains that word hangs (so a test can kill -9 the run there).
import { appendFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_LOG, `${JSON.stringify([tool, ...args])}\n`);
if (process.env.FAKE_HANG_ON && args.includes(process.env.FAKE_HANG_ON)) setInterval(() => {}, 1000);
else if (tool === "flux" && args.includes("install")) {
  // As if Flux's controllers came up: the fake API starts serving Flux objects.
  await fetch(`${process.env.FAKE_API_URL}/fake/flux-installed`, { method: "POST" });
} else {
  const at = args.indexOf("kubeconfig");
  if (tool === "talosctl" && at >= 0) {
    writeFileSync(
      args[at + 1],
      `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster:
      server: ${process.env.FAKE_API_URL}
      insecure-skip-tls-verify: true
contexts:
  - name: admin@fake
    context:
      cluster: fake
      user: admin@fake
current-context: admin@fake
users:
  - name: admin@fake
    user:
      token: fake-token
`,
    );
  }
}
