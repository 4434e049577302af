// The local lock against file-system answers a test cannot time: a lock that changes between the contender's
// read and its takeover mutex, and file systems that refuse hard links. node:fs/promises passes through to the
// real one unless a test scripts an answer for one path.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { acquireLocalLock, readLock } from "./local-lock.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-lock-fs-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const script = vi.hoisted(() => ({
  /** Answers of the next reads of a path: its text, or an error code. */
  reads: new Map<string, (string | { code: string })[]>(),
  linkErrors: new Map<string, string>(),
}));
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    readFile: (async (file: string, ...rest: unknown[]) => {
      const next = script.reads.get(String(file))?.shift();
      if (typeof next === "object") throw Object.assign(new Error(`${next.code}: ${file}`), next);
      return next ?? (actual.readFile as (...args: unknown[]) => Promise<string>)(file, ...rest);
    }) as typeof actual.readFile,
    link: async (from: string, to: string) => {
      const code = script.linkErrors.get(String(to));
      if (code) throw Object.assign(new Error(`${code}: operation not permitted, link '${from}' -> '${to}'`), { code });
      return actual.link(from, to);
    },
  };
});

afterEach(() => {
  script.reads.clear();
  script.linkErrors.clear();
});

const lockFile = () => path.join(mkdtempSync(path.join(scratch, "kubeforge-lock-fs-")), "lab.state.json.lock");
const info = (pid: number, token: string) =>
  JSON.stringify({ pid, host: hostname(), since: "2026-01-01T00:00:00Z", token });
const DEAD = info(2 ** 22 + 12345, "dead-run");
const leftovers = (file: string) => readdirSync(path.dirname(file)).filter((name) => name !== path.basename(file));

describe("local lock: what the takeover mutex protects", () => {
  it("a lock taken by a live contender between the read and the mutex is never removed", async () => {
    const file = lockFile();
    writeFileSync(file, DEAD);
    // 1st read: the dead run; under the mutex: a live contender's fresh lock; then that lock again.
    const fresh = info(process.pid, "fresh-winner");
    script.reads.set(file, [DEAD, fresh, fresh]);
    await expect(acquireLocalLock(file)).rejects.toMatchObject({ code: "E_LOCKED" });
    // Not removed: the file on disk is untouched (the scripted reads stood for a winner's lock).
    expect((await readLock(file))?.token).toBe("dead-run");
    expect(leftovers(file)).toEqual([]);
  });

  it("a lock gone by the time the mutex is held (another contender took over and released) is retried, not an error", async () => {
    const file = lockFile();
    writeFileSync(file, DEAD);
    // Under the mutex the read finds no lock: nothing to remove; the next attempt sees the dead run again.
    script.reads.set(file, [DEAD, "", DEAD]);
    const taken = await acquireLocalLock(file);
    expect(taken.tookOver?.token).toBe("dead-run");
    expect((await readLock(file))?.token).toBe(taken.info.token);
    await taken.release();
  });
});

describe("local lock: a lock released between the link and the read", () => {
  it("is retried, not taken for an unreadable lock", async () => {
    const file = lockFile();
    writeFileSync(file, DEAD);
    // The link fails on the lock, which is gone when it is read (and when it is checked for content).
    script.reads.set(file, [{ code: "ENOENT" }, { code: "ENOENT" }]);
    const taken = await acquireLocalLock(file);
    expect(taken.tookOver?.token).toBe("dead-run");
    await taken.release();
  });
});

describe("local lock: a lock replaced between the link and the read", () => {
  it("a readable lock found on the second look is judged like any other: a live one refuses", async () => {
    const file = lockFile();
    const live = info(process.pid, "live-run");
    writeFileSync(file, live);
    // Gone on the first read, back (another run's fresh lock) when checked for content.
    script.reads.set(file, [{ code: "ENOENT" }, live]);
    await expect(acquireLocalLock(file)).rejects.toMatchObject({
      code: "E_LOCKED",
      message: expect.stringMatching(/^another upgrade \(pid \d+ on /),
    });
  });
});

describe("local lock: file systems without hard links", () => {
  it("a link error other than 'exists' is raised as it is, never taken for a held lock", async () => {
    const file = lockFile();
    script.linkErrors.set(file, "EPERM");
    await expect(acquireLocalLock(file)).rejects.toMatchObject({ code: "EPERM" });
    expect(readdirSync(path.dirname(file))).toEqual([]);
  });

  it("the same for the takeover mutex", async () => {
    const file = lockFile();
    writeFileSync(file, DEAD);
    script.linkErrors.set(`${file}.takeover`, "EPERM");
    await expect(acquireLocalLock(file)).rejects.toMatchObject({ code: "EPERM" });
    expect((await readLock(file))?.token).toBe("dead-run");
    expect(leftovers(file)).toEqual([]);
  });
});
