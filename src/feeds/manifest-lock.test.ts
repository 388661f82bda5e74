import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../../test/support/temp-dirs.js";
import { MANIFEST_LOCK_FILE, withManifestLock } from "./manifest-lock.js";

describe("withManifestLock", () => {
  it("runs two publishes into one folder one after the other, and leaves no lock behind", async () => {
    const dir = makeTempDir("manifest-lock");
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`${name} in`);
      await sleep(100);
      events.push(`${name} out`);
    };
    await Promise.all([withManifestLock(dir, task("a")), withManifestLock(dir, task("b"))]);
    expect(events).toEqual(["a in", "a out", "b in", "b out"]);
    expect(existsSync(join(dir, MANIFEST_LOCK_FILE))).toBe(false);
  });

  it("takes over the lock of a process that is gone, and releases it when the task fails", async () => {
    const dir = makeTempDir("manifest-lock");
    const gone = spawnSync(process.execPath, ["-e", "process.pid"]).pid;
    writeFileSync(join(dir, MANIFEST_LOCK_FILE), `${gone}\n`);
    await expect(withManifestLock(dir, () => Promise.reject(new Error("disk full")), 1000)).rejects.toThrow(
      "disk full",
    );
    expect(existsSync(join(dir, MANIFEST_LOCK_FILE))).toBe(false);
  });

  it("gives up on a live holder after the wait, naming it", async () => {
    const dir = makeTempDir("manifest-lock");
    writeFileSync(join(dir, MANIFEST_LOCK_FILE), `${process.ppid}\n`);
    await expect(withManifestLock(dir, () => Promise.resolve(1), 200)).rejects.toThrow(
      `another process (pid ${process.ppid}) is publishing into this folder`,
    );
  });
});
