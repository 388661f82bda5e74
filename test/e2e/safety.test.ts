import type { ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MANIFEST_FILE } from "../../src/feeds/manifest.js";
import { isTempFileName } from "../../src/feeds/temp-file.js";
import type { CliResult } from "./cli.js";
import {
  DEMO_CONFIG,
  DEMO_FEEDS,
  ROOT,
  demoExport,
  exportArgs,
  freshDir,
  omnifeed,
  startOmnifeed,
} from "./cli.js";

const SAFETY = join(ROOT, "fixtures/catalogs/safety");
const HEADER_ONLY = join(SAFETY, "header-only.csv");
const AMAZON_ALL_REJECTED = join(SAFETY, "amazon-all-rejected.csv");

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = freshDir(prefix);
  made.push(dir);
  return dir;
}

/** The published files of a folder (temp files left out), byte for byte. */
function snapshot(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir)
      .filter((name) => !isTempFileName(name) && statSync(join(dir, name)).isFile())
      .map((name) => [name, readFileSync(join(dir, name))]),
  );
}

function feedsOf(dir: string): Map<string, Buffer> {
  const all = snapshot(dir);
  return new Map(DEMO_FEEDS.map((name) => [name, all.get(name)!]));
}

function expectUnchanged(dir: string, before: Map<string, Buffer>): void {
  for (const [name, bytes] of before) expect(readFileSync(join(dir, name)).equals(bytes), name).toBe(true);
}

function tempFiles(dir: string): string[] {
  return readdirSync(dir).filter(isTempFileName);
}

interface Outcome {
  feedId: string;
  status: "published" | "held" | "not_written";
  entries: number;
  previous: number | undefined;
  baseline: string;
  files: string[];
  message: string;
}

function outcomesOf(result: CliResult): Outcome[] {
  return (JSON.parse(result.stdout) as { summary: { feeds: Outcome[] } }).summary.feeds;
}

function exportTo(out: string, catalog: string, extra: readonly string[] = []): Promise<CliResult> {
  return omnifeed(exportArgs(catalog, out, ["--quiet", ...extra]));
}

/** The output folder of a good demo publish whose manifest is gone (a fresh CI workspace). */
async function publishedWithoutManifest(extra: readonly string[] = []): Promise<string> {
  const out = tempDir("no-manifest");
  expect((await demoExport(out, extra)).code).toBe(0);
  rmSync(join(out, MANIFEST_FILE));
  return out;
}

describe("the shrink guard without a manifest", () => {
  it("holds an empty catalog against the published files, even with --strict, and keeps them byte for byte", async () => {
    const out = await publishedWithoutManifest();
    const before = feedsOf(out);
    const result = await exportTo(out, HEADER_ONLY, ["--strict"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(
      /google\.xml .*HELD: 0 items, no variant reached the channel: the published google\.xml \(91\) was kept/,
    );
    expectUnchanged(out, before);
    expect(tempFiles(out)).toEqual([]);
  });

  it("counts the published file of every format, plain and gzipped, as the baseline", async () => {
    for (const extra of [[], ["--gzip"]]) {
      const out = await publishedWithoutManifest(extra);
      const result = await demoExport(out, [...extra, "--json"]);
      expect(result.code).toBe(0);
      const outcomes = outcomesOf(result);
      expect(outcomes.map((outcome) => outcome.feedId).sort()).toEqual(
        ["amazon-json", "google-local-inventory", "google-tsv", "google-xml", "meta-csv", "meta-xml"].sort(),
      );
      for (const outcome of outcomes) {
        expect(outcome, outcome.feedId).toMatchObject({ status: "published", baseline: "counted" });
        expect(outcome.previous, outcome.feedId).toBe(outcome.entries);
        expect(outcome.message).toContain("not in the manifest");
      }
    }
  });

  it("holds a feed that shrank against the counted published file", async () => {
    const out = await publishedWithoutManifest();
    const before = feedsOf(out);
    const result = await exportTo(out, AMAZON_ALL_REJECTED, ["--json", "--allow-empty"]);
    expect(result.code).toBe(4);
    const google = outcomesOf(result).find((outcome) => outcome.feedId === "google-xml");
    expect(google).toMatchObject({ status: "held", baseline: "counted", previous: 91 });
    expect(google?.message).toContain("more than the 20% allowed");
    expectUnchanged(out, before);
  });

  it("holds a feed whose published file cannot be counted unless --force, and says why", async () => {
    const out = await publishedWithoutManifest();
    writeFileSync(join(out, "google.xml"), "this is not a feed\n");
    const held = await demoExport(out);
    expect(held.code).toBe(4);
    expect(held.stdout).toMatch(
      /google\.xml .*HELD: cannot count the published entries \(google\.xml: not an RSS feed .*\): the published google\.xml was kept \(use --force to replace it\)/,
    );
    expect(readFileSync(join(out, "google.xml"), "utf8")).toBe("this is not a feed\n");

    const forced = await demoExport(out, ["--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(
      /google\.xml .*published \(first publish; the published file could not be counted/,
    );
    expect(readFileSync(join(out, "google.xml"), "utf8")).toContain("<rss");
  });
});

describe("feeds without entries", () => {
  it("writes no file for a header-only catalog into a new folder, and says so in the summary and report", async () => {
    const out = join(tempDir("empty"), "out");
    const result = await exportTo(out, HEADER_ONLY);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "no file written: 0 items, no variant reached the channel (--allow-empty writes it)",
    );
    expect(result.stdout).not.toContain("published");
    expect(readdirSync(out).sort()).toEqual([MANIFEST_FILE, "omnifeed-issues.jsonl", "omnifeed-report.json"]);
    const report = JSON.parse(readFileSync(join(out, "omnifeed-report.json"), "utf8")) as {
      status: string;
      feeds: Outcome[];
    };
    expect(report.feeds).toHaveLength(6);
    for (const feed of report.feeds)
      expect(feed, feed.feedId).toMatchObject({ status: "not_written", files: [] });
  });

  it("says 'no file written' for a channel whose every item was rejected, while the others publish", async () => {
    const out = tempDir("rejected");
    const result = await exportTo(out, AMAZON_ALL_REJECTED, ["--channel", "amazon,meta"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/amazon .*2 rejected · 0 accepted/);
    expect(result.stdout).toContain(
      "(amazon-json)                             0 messages       0 B  no file written: 0 messages, every item was rejected",
    );
    expect(result.stdout).toMatch(/meta\.csv +2 items .*published \(first publish\)/);
    expect(readdirSync(out).some((name) => name.startsWith("amazon-listings"))).toBe(false);
  });

  it("writes empty feeds with --allow-empty, or output.allow_empty in the config file", async () => {
    const flagged = join(tempDir("allow-empty"), "out");
    const result = await exportTo(flagged, HEADER_ONLY, ["--channel", "google", "--allow-empty"]);
    expect(result.code).toBe(0);
    expect(readFileSync(join(flagged, "google.xml"), "utf8")).not.toContain("<item>");
    expect(result.stdout).toMatch(/google\.xml +0 items .*published \(first publish\)/);

    const dir = tempDir("allow-empty-config");
    const config = join(dir, "omnifeed.config.yaml");
    writeFileSync(config, "output:\n  dir: out\n  allow_empty: true\n");
    const configured = await omnifeed([
      "export",
      "--config",
      config,
      "--catalog",
      HEADER_ONLY,
      "--channel",
      "google",
      "--quiet",
    ]);
    expect(configured.stderr).toBe("");
    expect(configured.code).toBe(0);
    expect(readdirSync(join(dir, "out"))).toContain("google.xml");
  });
});

describe("clean failures", () => {
  it("refuses an --out that is a file, sits under a file, or cannot be written: exit 2, one line", async () => {
    const dir = tempDir("bad-out");
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    // As root every permission check passes; /sys refuses new files whoever asks.
    const unwritable = process.getuid?.() === 0 ? "/sys" : join(dir, "read-only");
    if (unwritable !== "/sys") mkdirSync(unwritable, { mode: 0o555 });
    for (const [out, reason] of [
      [file, "it is a file, not a folder"],
      [join(file, "feeds"), "a part of the path is a file, not a folder"],
      [unwritable, "no permission to write there"],
    ] as const) {
      const result = await exportTo(out, HEADER_ONLY);
      expect(result.code, out).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(
        `omnifeed: cannot write feeds into ${out}: ${reason}; pass --out <dir> with a folder you can write to\n`,
      );
    }
    expect(readFileSync(file, "utf8")).toBe("x");
  });

  it("exits 2 on an unreadable manifest before building anything, and keeps the published files", async () => {
    const out = tempDir("bad-manifest");
    expect((await demoExport(out)).code).toBe(0);
    writeFileSync(join(out, MANIFEST_FILE), "{ not json");
    const before = snapshot(out);
    const result = await demoExport(out);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `omnifeed: ${join(out, MANIFEST_FILE)}: unreadable publish manifest; move it away to start afresh\n`,
    );
    expectUnchanged(out, before);
    expect(tempFiles(out)).toEqual([]);
  });

  it("says in one line that a feed cannot be put in place (exit 2), leaving no temp files", async () => {
    // A published feed replaced by a folder after the last run: the manifest still lists it, so
    // nothing checks it before the rename over it fails (EISDIR). Like a full disk, the operator must
    // fix the folder before a retry can succeed: exit 2 with one line, no stack trace (adr/0010).
    const out = tempDir("exit-eisdir");
    expect((await demoExport(out)).code).toBe(0);
    rmSync(join(out, "meta.csv"));
    mkdirSync(join(out, "meta.csv", "not-a-feed"), { recursive: true });
    const result = await demoExport(out);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^omnifeed: .*cannot write meta\.csv: .*EISDIR.*\n$/);
    expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(tempFiles(out)).toEqual([]);
  });

  it("says in one line that the report cannot be written (exit 2), leaving no temp files", async () => {
    const out = tempDir("report-eisdir");
    mkdirSync(join(out, "omnifeed-report.json", "in-the-way"), { recursive: true });
    const result = await demoExport(out);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^omnifeed: .*cannot write omnifeed-report\.json: .*EISDIR.*\n$/);
    expect(tempFiles(out)).toEqual([]);
  });

  it("refuses blocks nested deep enough to overflow the stack, in mapping check and export, with file:line", async () => {
    const dir = tempDir("nesting");
    const mapping = join(dir, "deep.yaml");
    const depth = 20_000;
    writeFileSync(
      mapping,
      "version: 1\nchannel: google\nextends: default\nfields:\n  title:\n" +
        `    template: "${"{{#if title}}".repeat(depth)}x${"{{/if}}".repeat(depth)}"\n`,
    );
    const message = `${mapping}:6:848: blocks nested more than 64 deep`;
    const checked = await omnifeed(["mapping", "check", mapping]);
    expect(checked.code).toBe(2);
    expect(checked.stdout + checked.stderr).toContain(message);

    const exported = await omnifeed([
      "export",
      "--catalog",
      HEADER_ONLY,
      "--channel",
      "google",
      "--mapping",
      `google=${mapping}`,
      "--out",
      join(dir, "out"),
    ]);
    expect(exported.code).toBe(2);
    expect(exported.stderr).toBe(
      `omnifeed: ${message}; flatten the template (split it over fields, or use ?? between alternatives)\n`,
    );
  });

  it("writes every feed --feeds names, even those the mapping does not list", async () => {
    const out = tempDir("feeds");
    const result = await omnifeed([
      "export",
      "--catalog",
      join(ROOT, "fixtures/catalogs/demo/catalog.csv"),
      "--channel",
      "google",
      "--feeds",
      "google-xml,google-tsv",
      "--out",
      out,
      "--quiet",
    ]);
    expect(result.code).toBe(0);
    expect(
      readdirSync(out)
        .filter((name) => name.startsWith("google"))
        .sort(),
    ).toEqual(["google.tsv", "google.xml"]);
  });
});

describe("an export interrupted or with its output closed", () => {
  let catalog: string;

  beforeAll(async () => {
    catalog = join(tempDir("big-catalog"), "big.csv");
    const generated = await omnifeed([
      "dev",
      "gen-catalog",
      "--variants",
      "30000",
      "--seed",
      "3",
      "--out",
      catalog,
    ]);
    expect(generated.code).toBe(0);
  });

  function startExport(out: string, extra: readonly string[] = []): ChildProcess {
    return startOmnifeed(exportArgs(catalog, out, ["--workers", "1", ...extra]));
  }

  function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr })));
  }

  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const) {
    it(`removes this run's temp files on ${signal}, keeps the published feeds and exits ${code}`, async () => {
      const out = tempDir(`signal-${code}`);
      expect((await demoExport(out)).code).toBe(0);
      const published = snapshot(out);
      // Another run's temp file in the same folder (a live pid: ours) must survive.
      const other = `.google.xml.omnifeed-${process.pid}-0badcafe.tmp`;
      writeFileSync(join(out, other), "another run's temp file");

      const child = startExport(out, ["--quiet"]);
      const exited = exitOf(child);
      let running = true;
      void exited.then(() => (running = false));
      while (running && tempFiles(out).length < 3) await sleep(10);
      expect(running, "the export finished before it could be stopped").toBe(true);
      child.kill(signal);
      const result = await exited;

      expect(result.code).toBe(code);
      expect(result.stderr).toMatch(
        new RegExp(
          `^omnifeed: stopped by ${signal}; removed \\d+ temp files? of this run; the published feeds were not changed\\n$`,
        ),
      );
      expect(tempFiles(out)).toEqual([other]);
      const after = snapshot(out);
      expect([...after.keys()].sort()).toEqual([...published.keys()].sort());
      expectUnchanged(out, published);
    });
  }

  it("goes on and publishes when stdout and stderr are closed early, with the exit code of a normal run", async () => {
    const out = tempDir("epipe");
    const child = startExport(out);
    // Like `omnifeed export … 2>&1 | head -0`: the reader is gone before the first progress line.
    child.stdout?.destroy();
    child.stderr?.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", (exit) => resolve(exit)));
    expect(code).toBe(0);
    const names = readdirSync(out);
    for (const feed of DEMO_FEEDS) expect(names, feed).toContain(feed);
    expect(names).toContain(MANIFEST_FILE);
    expect(tempFiles(out)).toEqual([]);
  });

  it("validate --json | head -1: the reader leaving mid-stream changes neither the run nor its exit code", async () => {
    const child = startOmnifeed([
      "validate",
      "--config",
      DEMO_CONFIG,
      "--catalog",
      catalog,
      "--channel",
      "google,meta,amazon",
      "--workers",
      "0",
      "--json",
    ]);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // The first line read, the reader goes: thousands of issue lines are still to be written.
    child.stdout?.once("data", () => child.stdout?.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", (exit) => resolve(exit)));
    expect(stderr).toBe("");
    expect(code).toBe(3);
  });
});
