// Removal of run-scoped secrets (the temporary talosconfig) on every way out: normal return, thrown error,
// process.exit and the signals a terminal or a supervisor sends (SIGINT, SIGTERM, SIGHUP).
import { rmSync } from "node:fs";

const paths = new Set<string>();
let installed = false;

function removeAll(): void {
  for (const target of paths) {
    try {
      rmSync(target, { recursive: true, force: true });
    } catch {
      // best effort on the way out; nothing else can be done here
    }
    paths.delete(target);
  }
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

/** Installs the exit and signal hooks once; a signal removes the paths, then exits 128 + its number. */
function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", removeAll);
  for (const [signal, number] of Object.entries(SIGNALS)) {
    process.on(signal, () => {
      removeAll();
      process.exit(128 + number);
    });
  }
}

/** Removes `target` (file or folder) at exit or on a signal, unless released earlier; returns the remover. */
export function removeOnExit(target: string): () => void {
  install();
  paths.add(target);
  return () => {
    paths.delete(target);
    rmSync(target, { recursive: true, force: true });
  };
}
