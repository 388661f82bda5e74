import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { isTempFileName } from "../../src/feeds/temp-file.js";
import { MANIFEST_FILE } from "../../src/feeds/manifest.js";
import { DEMO_FEEDS, demoExport, exportArgs, freshDir, omnifeed, startOmnifeed } from "./cli.js";

function snapshot(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir)
      .filter((name) => !isTempFileName(name))
      .map((name) => [name, readFileSync(join(dir, name))]),
  );
}

function biggestTempFile(dir: string): number {
  let biggest = 0;
  for (const name of readdirSync(dir)) {
    if (!isTempFileName(name)) continue;
    try {
      biggest = Math.max(biggest, statSync(join(dir, name)).size);
    } catch {
      // Renamed or removed between readdir and stat.
    }
  }
  return biggest;
}

describe("an export killed mid-way", () => {
  it("leaves the published feeds untouched, and the next run clears its temp files", async () => {
    const out = freshDir("crash");
    expect((await demoExport(out)).code).toBe(0);
    const published = snapshot(out);

    const catalog = join(freshDir("crash-catalog"), "big.csv");
    const generated = await omnifeed([
      "dev",
      "gen-catalog",
      "--variants",
      "100000",
      "--seed",
      "7",
      "--out",
      catalog,
    ]);
    expect(generated.code).toBe(0);

    const child = startOmnifeed(exportArgs(catalog, out, ["--workers", "1", "--quiet"]));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    let running = true;
    void exited.then(() => (running = false));
    // Kill it once it is well into writing its feeds (a few MB into a temp file).
    while (running && biggestTempFile(out) < 4 * 1024 * 1024) await sleep(20);
    expect(running, "the export finished before it could be killed").toBe(true);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    expect(readdirSync(out).some(isTempFileName)).toBe(true);
    const after = snapshot(out);
    expect([...after.keys()].sort()).toEqual([...published.keys()].sort());
    for (const [name, bytes] of published) expect(after.get(name)?.equals(bytes), name).toBe(true);

    const next = await demoExport(out);
    expect(next.code).toBe(0);
    const names = readdirSync(out);
    expect(names.filter(isTempFileName)).toEqual([]);
    expect(names.sort()).toEqual(
      [...DEMO_FEEDS, MANIFEST_FILE, "omnifeed-issues.jsonl", "omnifeed-report.json"].sort(),
    );
    const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8")) as {
      feeds: Record<string, { files: string[] }>;
    };
    const listed = Object.values(manifest.feeds).flatMap((feed) => feed.files);
    expect(listed.sort()).toEqual([...DEMO_FEEDS].sort());
  });
});
