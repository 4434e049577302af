// Ctrl-C, `kill` and a closed terminal (SIGINT, SIGTERM, SIGHUP) while a command stages or writes files. Outside
// `hold()` a signal runs the cleanup (e.g. removes a staging folder) and exits 128 + its number; inside `hold()` it
// waits until the held work is done, so a short write phase either completes or never starts. A handler is needed
// because Node's default action on these signals ends the process without running any `finally`.

export const INTERRUPT_SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
export type InterruptSignal = keyof typeof INTERRUPT_SIGNALS;

export interface InterruptGuardOptions {
  /** Runs synchronously before the exit; errors are ignored (best effort on the way out). */
  readonly cleanup?: () => void;
  /** What to tell the user on the way out; `held` says the signal waited for held work to finish. */
  readonly message?: (event: { signal: InterruptSignal; held: boolean }) => string | undefined;
  /** For tests. @default process.exit */
  readonly exit?: (code: number) => void;
  /** For tests. @default process.stderr.write */
  readonly write?: (text: string) => void;
}

export interface InterruptGuard {
  /** Runs `work` with signals held back; one that arrived meanwhile takes effect when `work` settles. */
  hold<T>(work: () => Promise<T>): Promise<T>;
  /** Removes the handlers (the signals' default action applies again). */
  release(): void;
}

export function guardInterrupts(options: InterruptGuardOptions = {}): InterruptGuard {
  let holding = 0;
  let pending: InterruptSignal | undefined;
  const handlers = new Map<InterruptSignal, () => void>();
  const release = () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    handlers.clear();
  };
  const stop = (signal: InterruptSignal, held: boolean) => {
    release();
    try {
      options.cleanup?.();
    } catch {
      // nothing more can be done on the way out
    }
    const text = options.message?.({ signal, held });
    if (text) (options.write ?? ((chunk: string) => process.stderr.write(chunk)))(text);
    (options.exit ?? process.exit)(128 + INTERRUPT_SIGNALS[signal]);
  };
  for (const signal of Object.keys(INTERRUPT_SIGNALS) as InterruptSignal[]) {
    const handler = () => {
      if (holding > 0) pending ??= signal;
      else stop(signal, false);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return {
    async hold(work) {
      holding += 1;
      try {
        return await work();
      } finally {
        holding -= 1;
        if (holding === 0 && pending && handlers.size > 0) stop(pending, true);
      }
    },
    release,
  };
}
