#!/usr/bin/env node
// A fake talosctl / helm / kubectl / flux: logs its argv as a JSON line to $FAKE_LOG and answers like the real tool
// would for bootstrap's calls. `talosctl kubeconfig <file>` writes a kubeconfig for $FAKE_API_URL (loopback only;
// client-node speaks plain http only with insecure-skip-tls-verify).
// With $FAKE_HANG_ON set, a call whose argv contains that word hangs (so a test can kill -9 the run there), after
// writing the file $FAKE_MARKER names, if set.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_LOG, `${JSON.stringify([tool, ...args])}\n`);
const file = args.indexOf("--file");
if (tool === "talosctl" && args.includes("apply-config") && file >= 0) {
  // as talosctl does (os.ReadFile): open --file by path, so `/dev/stdin` must be openable (a pipe, not a socket)
  let config = "";
  try {
    config = readFileSync(args[file + 1], "utf8");
  } catch (error) {
    process.stderr.write(`error: failed to read configuration from "${args[file + 1]}": ${error.message}\n`);
    process.exit(1);
  }
  if (!/^version: v1alpha1$/m.test(config)) {
    process.stderr.write("error: the configuration is not a Talos machine config\n");
    process.exit(1);
  }
}
if (process.env.FAKE_PROMPT_ON && args.includes(process.env.FAKE_PROMPT_ON)) {
  // as flux install does when another manager owns the CRDs: it asks "override? Y/N" on stdin
  process.stderr.write("? Are you sure you want to override the existing installation? [y/N] ");
  const answer = readFileSync(0, "utf8"); // an open pipe with no writer blocks here forever
  if (!/^y/i.test(answer)) {
    process.stderr.write("✗ aborting\n");
    process.exit(1);
  }
}
if (process.env.FAKE_HANG_ON && args.includes(process.env.FAKE_HANG_ON)) {
  // $FAKE_MARKER: tells a test the run got here (then it can Ctrl-C it)
  if (process.env.FAKE_MARKER) writeFileSync(process.env.FAKE_MARKER, "");
  setInterval(() => {}, 1000);
} else if (tool === "flux" && args.includes("install")) {
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
