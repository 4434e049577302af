// A thread of `decrypt --recursive` / `decrypt a b c` (commands/decrypt-many.ts): it decrypts the batches
// of files the main thread sends, each written atomically with mode 0600, and answers with the indexes
// done and the failures. Its key sources and .sops.yaml are its own reads of the same environment.
import { parentPort, workerData } from "node:worker_threads";
import { configOf } from "./commands/context.js";
import { type DecryptJob, type JobFailure, runJob, toFailure, type WorkerCommon } from "./commands/decrypt-many.js";
import { keySourceFromEnv } from "./keys/sources.js";

const { common } = workerData as { common: WorkerCommon };
const keySource = keySourceFromEnv(common.env ?? process.env);
const config = configOf({ ...common, file: "" })
  .catch(() => undefined)
  .then((found) => found ?? null);

// a batch that cannot be read: end the thread, so the main thread takes back the files it had sent
parentPort?.on("messageerror", () => process.exit(1));
parentPort?.on("message", async (batch: DecryptJob[]) => {
  const failures: JobFailure[] = [];
  for (const job of batch) {
    const error = await runJob(job, common, keySource, await config);
    if (error !== undefined) failures.push(toFailure(job.index, error));
  }
  parentPort?.postMessage({ done: batch.map((job) => job.index), failures });
});
