// Every API call of `doctor` has a deadline: an API server that accepts the connection and never answers
// (a half-open socket, a hung apiserver) must give a clear error, not a hang. client-node has no per-request
// deadline of its own, so the call is raced against a timer.
import { ValidateError } from "../../errors.js";
import { apiStatus, toApiError } from "../kube-client.js";

/** @default 8 s per call: well inside the 15 s an operator waits for an answer. */
export const DEFAULT_CALL_TIMEOUT_MS = 8_000;

export class DeadlineError extends ValidateError {}

/** Runs `call` with a deadline; a timeout or API failure becomes a ValidateError naming `what`. */
export async function withDeadline<T>(what: string, call: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DeadlineError(
            "E_API",
            `${what}: the API server did not answer within ${timeoutMs / 1000}s (it accepts connections but sends nothing back)`,
            "check the API server (talosctl -n <node> service kube-apiserver; talosctl -n <node> logs kube-apiserver) and the kubeconfig's server address",
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (error) {
    if (error instanceof ValidateError) throw error;
    throw toApiError(error, what);
  } finally {
    clearTimeout(timer);
  }
}

/** Like withDeadline, but a 404 (a kind the cluster does not serve) is `undefined`. */
export async function optional<T>(what: string, call: () => Promise<T>, timeoutMs: number): Promise<T | undefined> {
  try {
    return await withDeadline(what, call, timeoutMs);
  } catch (error) {
    if (apiStatus((error as { cause?: unknown }).cause) === 404) return undefined;
    throw error;
  }
}
