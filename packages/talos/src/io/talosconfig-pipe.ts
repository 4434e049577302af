// Hands talosctl the decrypted talosconfig (client credentials) through a named pipe: talosctl opens
// `--talosconfig` by path (pkg/machinery/client/config/config.go: Open stats it, then os.Open + a YAML decoder), once
// per run, and a FIFO gives it the bytes without them ever being on disk, so a `kill -9` can leave only an empty FIFO.
import { constants, lstatSync } from "node:fs";
import { open, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";

export interface TalosconfigHandoff {
  /** The path to pass as `--talosconfig`. */
  readonly path: string;
  /** `fifo` normally; `file` (0600) where mkfifo is unavailable. */
  readonly kind: "fifo" | "file";
  /**
   * Serves the talosconfig to one talosctl run: resolves once the run has read it, or once `exited` settles without
   * the run having opened it (never hangs on a talosctl that does not read it). A no-op for a `file`.
   */
  serve(exited: Promise<unknown>): Promise<void>;
}

export interface PrepareTalosconfigOptions {
  /** A private (0700) folder the pipe or file goes into; the caller removes it. */
  readonly directory: string;
  readonly text: string;
  /** @default "mkfifo" (coreutils; Node has no API for it) */
  readonly mkfifo?: string;
  /** Told when the pipe cannot be made and a 0600 file is used instead. */
  readonly onWarning?: (message: string) => void;
}

/** Makes the FIFO with the `mkfifo` binary (an argument array, no shell); the reason when it cannot. */
async function makeFifo(file: string, bin: string): Promise<string | undefined> {
  const result = await execa(bin, ["-m", "600", file], { reject: false, stdin: "ignore", stdout: "ignore" });
  if (result.exitCode === 0 && lstatSync(file, { throwIfNoEntry: false })?.isFIFO()) return undefined;
  const why =
    (result as { code?: string }).code === "ENOENT" ? `${bin} is not installed` : result.stderr || result.message;
  return String(why).split("\n")[0];
}

/**
 * One write per talosctl run. The blocking write-only open returns once talosctl opens the pipe to read; when
 * talosctl ends without opening it, our own non-blocking read-only open releases the pending open and nothing is
 * written (the credentials never go to a reader that is not talosctl).
 */
async function serveFifo(file: string, text: string, exited: Promise<unknown>): Promise<void> {
  const opening = open(file, constants.O_WRONLY);
  const settled = exited.then(
    () => "exited" as const,
    () => "exited" as const,
  );
  const first = await Promise.race([opening.then((handle) => handle), settled]);
  if (first === "exited") {
    // Only fails when the pipe is gone (removed on Ctrl-C, while the process ends): nothing left to release then.
    const release = await open(file, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => undefined);
    if (!release) {
      opening.then((handle) => handle.close()).catch(() => {});
      return;
    }
    try {
      await (await opening).close();
    } finally {
      await release.close();
    }
    return;
  }
  try {
    // Small enough for the pipe's buffer; a reader that goes away turns the write into EPIPE, not a hang.
    await first.writeFile(text);
  } catch (cause) {
    if ((cause as { code?: string }).code !== "EPIPE") throw cause;
  } finally {
    await first.close();
  }
}

/** A named pipe for the talosconfig in `directory`, or a 0600 file (with a warning) where mkfifo fails. */
export async function prepareTalosconfig(options: PrepareTalosconfigOptions): Promise<TalosconfigHandoff> {
  const file = path.join(options.directory, "talosconfig");
  const failed = await makeFifo(file, options.mkfifo ?? "mkfifo").catch((cause: unknown) => String(cause));
  if (failed === undefined) {
    return { path: file, kind: "fifo", serve: (exited) => serveFifo(file, options.text, exited) };
  }
  options.onWarning?.(
    `cannot make a named pipe for the talosconfig (${failed}): it goes to a 0600 temp file instead, removed after the apply and on Ctrl-C (a kill -9 would leave it in ${options.directory})`,
  );
  await writeFile(file, options.text, { mode: 0o600, flag: "wx" });
  return { path: file, kind: "file", serve: async () => {} };
}
