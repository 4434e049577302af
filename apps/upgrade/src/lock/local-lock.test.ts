import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UpgradeError } from "../errors.js";
import { acquireLocalLock, readLock, releaseLocalLock } from "./local-lock.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-lock-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const lockFile = () => path.join(mkdtempSync(path.join(scratch, "kubeforge-lock-")), "lab.state.json.lock");
const DEAD_PID = 2 ** 22 + 12345;
const stale = (file: string) =>
  writeFileSync(
    file,
    JSON.stringify({ pid: DEAD_PID, host: hostname(), since: "2026-01-01T00:00:00Z", token: "dead-run" }),
  );

describe("local lock", () => {
  it("a live holder refuses with E_LOCKED", async () => {
    const file = lockFile();
    const first = await acquireLocalLock(file);
    const refused = await acquireLocalLock(file).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UpgradeError);
    expect((refused as UpgradeError).code).toBe("E_LOCKED");
    await first.release();
    expect(await readLock(file)).toBeUndefined();
  });

  it("a stale lock (kill -9) is taken over by exactly one of many contenders, which knows it took it over", async () => {
    // Before: 15 of 15 contenders all "took over" the same stale lock. Then: a contender starting just after
    // another had unlinked the dead lock won with a plain link, not knowing a dead run was there (seen in CI under
    // load); staggered starts make that window likely.
    for (let trial = 0; trial < 20; trial += 1) {
      const file = lockFile();
      stale(file);
      const results = await Promise.allSettled(
        Array.from({ length: 15 }, async (_, n) => {
          await new Promise((resolve) => setTimeout(resolve, (n % 4) * 0.7));
          return acquireLocalLock(file);
        }),
      );
      const winners = results.filter((result) => result.status === "fulfilled");
      expect(winners).toHaveLength(1);
      const winner = (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLocalLock>>>).value;
      expect(winner.tookOver?.token).toBe("dead-run");
      expect((await readLock(file))?.token).toBe(winner.info.token);
      for (const result of results) {
        if (result.status === "rejected") expect((result.reason as UpgradeError).code).toBe("E_LOCKED");
      }
      await winner.release();
    }
  });

  it("release removes only its own lock", async () => {
    const file = lockFile();
    const mine = await acquireLocalLock(file);
    await releaseLocalLock(file, "someone-else");
    expect((await readLock(file))?.token).toBe(mine.info.token);
    await mine.release();
    const next = await acquireLocalLock(file);
    await mine.release(); // a second release of the old run must not drop the new holder's lock
    expect((await readLock(file))?.token).toBe(next.info.token);
    await next.release();
  });

  it("writes the lock 0600", async () => {
    const file = lockFile();
    const lock = await acquireLocalLock(file);
    const { statSync } = await import("node:fs");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await lock.release();
  });
});

describe("local lock: takeover and leftovers", () => {
  const dead = (token = "dead-run") => ({ pid: DEAD_PID, host: hostname(), since: "2026-01-01T00:00:00Z", token });
  const live = (token = "live-run") => ({ pid: process.pid, host: hostname(), since: "2026-01-01T00:00:00Z", token });
  const write = (file: string, info: object) => writeFileSync(file, JSON.stringify(info));
  const leftovers = (file: string) => readdirSync(path.dirname(file)).filter((name) => name !== path.basename(file));

  it("an unreadable lock (emptied by a crash) is refused naming the file and the fix, and left alone", async () => {
    // Before: it retried 50 times, then said "it keeps changing … another run is starting; try again", which
    // never helps: the file does not change by itself.
    const file = lockFile();
    writeFileSync(file, "");
    const refused = (await acquireLocalLock(file).catch((error: unknown) => error)) as UpgradeError;
    expect(refused).toBeInstanceOf(UpgradeError);
    expect(refused).toMatchObject({
      code: "E_LOCKED",
      gate: "no-upgrade-in-progress",
      message: `${file} is not a readable lock (its process cannot be checked)`,
      hint: `if no upgrade runs from this state folder (see \`kubeforge-upgrade status\`), remove ${file}`,
    });
    expect(readFileSync(file, "utf8")).toBe("");
    expect(leftovers(file)).toEqual([]);
  });

  it("takes over a dead lock and leaves neither its temp file nor the takeover mutex behind", async () => {
    const file = lockFile();
    write(file, dead());
    const taken = await acquireLocalLock(file);
    expect(taken.tookOver?.token).toBe("dead-run");
    expect(leftovers(file)).toEqual([]);
    await taken.release();
    expect(readdirSync(path.dirname(file))).toEqual([]);
  });

  it("a refused run leaves nothing behind either", async () => {
    const file = lockFile();
    write(file, live());
    await expect(acquireLocalLock(file)).rejects.toMatchObject({ code: "E_LOCKED" });
    expect(leftovers(file)).toEqual([]);
  });

  it("a takeover mutex left by a contender that died is cleared, then the dead lock is taken over", async () => {
    const file = lockFile();
    write(file, dead());
    write(`${file}.takeover`, dead("dead-contender"));
    const taken = await acquireLocalLock(file);
    expect(taken.tookOver?.token).toBe("dead-run");
    expect((await readLock(file))?.token).toBe(taken.info.token);
    expect(leftovers(file)).toEqual([]);
    await taken.release();
  });

  it("while a live contender holds the takeover mutex, the dead lock is not touched: refused after bounded retries", async () => {
    const file = lockFile();
    write(file, dead());
    write(`${file}.takeover`, live("live-contender"));
    const refused = (await acquireLocalLock(file).catch((error: unknown) => error)) as UpgradeError;
    expect(refused).toMatchObject({
      code: "E_LOCKED",
      gate: "no-upgrade-in-progress",
      message: `could not take ${file}: it keeps changing`,
      hint: "another run is starting; try again",
    });
    expect((await readLock(file))?.token).toBe("dead-run");
    expect((await readLock(`${file}.takeover`))?.token).toBe("live-contender");
  });

  it("an unreadable takeover mutex is never removed on a guess", async () => {
    const file = lockFile();
    write(file, dead());
    writeFileSync(`${file}.takeover`, "");
    await expect(acquireLocalLock(file)).rejects.toMatchObject({ code: "E_LOCKED" });
    expect(readFileSync(`${file}.takeover`, "utf8")).toBe("");
    expect((await readLock(file))?.token).toBe("dead-run");
  });
});
