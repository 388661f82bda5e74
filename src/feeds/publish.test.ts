import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeEntries } from "./encoded-entries.js";
import { FeedWriter } from "./feed-writer.js";
import type { FeedFormat } from "./format.js";
import { MANIFEST_FILE, readManifest } from "./manifest.js";
import { publishFeeds } from "./publish.js";
import { isTempFileName, removeStaleTempFiles, tempPathFor } from "./temp-file.js";
import { makeTempDir } from "../../test/support/temp-dirs.js";

const lines: FeedFormat<string, null> = {
  id: "test-lines",
  description: "one line per item",
  unit: "items",
  layout: "tsv-rows",
  fileName: () => "lines.txt",
  header: () => "BEGIN\n",
  footer: () => "END\n",
  render: (items) => items.map((item) => `${item}\n`),
};

const numbered: FeedFormat<string, null> = {
  ...lines,
  id: "test-numbered",
  fileName: (_settings, part) => `numbered-${part}.txt`,
  maxEntriesPerFile: 2,
  render: (items) => [...items],
  prefix: (index, sequence) => `${index === 0 ? "" : ","}${sequence}:`,
  footer: () => "\n",
};

async function writeFeed(dir: string, format: FeedFormat<string, null>, items: string[]) {
  const writer = new FeedWriter(format, null, [], { dir, gzip: false });
  await writer.start();
  await writer.write(encodeEntries(format.render(items, null, [])));
  return writer.finish();
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  return makeTempDir("publish");
}

describe("feed writing and publishing", () => {
  it("writes only temp files until published, then renames them into place", async () => {
    const dir = freshDir();
    const finished = await writeFeed(dir, lines, ["a", "b"]);
    expect(readdirSync(dir).every(isTempFileName)).toBe(true);

    const [outcome] = await publishFeeds(dir, [finished], {
      maxShrink: 0.2,
      force: false,
      allowEmpty: false,
    });
    expect(outcome).toMatchObject({ status: "published", entries: 2, files: ["lines.txt"] });
    expect(readFileSync(join(dir, "lines.txt"), "utf8")).toBe("BEGIN\na\nb\nEND\n");
    expect(readdirSync(dir).sort()).toEqual([MANIFEST_FILE, "lines.txt"].sort());
    expect((await readManifest(dir)).feeds["test-lines"]?.entries).toBe(2);
  });

  it("holds a feed that shrank too much and keeps the published file byte for byte", async () => {
    const dir = freshDir();
    await publishFeeds(dir, [await writeFeed(dir, lines, ["a", "b", "c", "d", "e"])], {
      maxShrink: 0.2,
      force: false,
      allowEmpty: false,
    });
    const before = readFileSync(join(dir, "lines.txt"));

    const [held] = await publishFeeds(dir, [await writeFeed(dir, lines, ["a", "b", "c"])], {
      maxShrink: 0.2,
      force: false,
      allowEmpty: false,
    });
    expect(held).toMatchObject({ status: "held", previous: 5, entries: 3 });
    expect(held?.message).toContain("5 → 3");
    expect(readFileSync(join(dir, "lines.txt")).equals(before)).toBe(true);
    expect(readdirSync(dir).some(isTempFileName)).toBe(false);
    expect((await readManifest(dir)).feeds["test-lines"]?.entries).toBe(5);

    const [forced] = await publishFeeds(dir, [await writeFeed(dir, lines, ["a", "b", "c"])], {
      maxShrink: 0.2,
      force: true,
      allowEmpty: false,
    });
    expect(forced?.status).toBe("published");
    expect(readFileSync(join(dir, "lines.txt"), "utf8")).toBe("BEGIN\na\nb\nc\nEND\n");
  });

  it("splits a feed into parts, prefixes entries, and removes parts no longer written", async () => {
    const dir = freshDir();
    await publishFeeds(dir, [await writeFeed(dir, numbered, ["a", "b", "c", "d", "e"])], {
      maxShrink: 1,
      force: false,
      allowEmpty: false,
    });
    expect(readFileSync(join(dir, "numbered-1.txt"), "utf8")).toBe("BEGIN\n1:a,2:b\n");
    expect(readFileSync(join(dir, "numbered-3.txt"), "utf8")).toBe("BEGIN\n5:e\n");

    await publishFeeds(dir, [await writeFeed(dir, numbered, ["a", "b", "c"])], {
      maxShrink: 1,
      force: false,
      allowEmpty: false,
    });
    expect(
      readdirSync(dir)
        .filter((name) => name.startsWith("numbered"))
        .sort(),
    ).toEqual(["numbered-1.txt", "numbered-2.txt"]);
  });

  it("removes temp files of dead runs but never a feed nor a temp file this run is writing", async () => {
    const dir = freshDir();
    writeFileSync(join(dir, "google.xml"), "<rss/>");
    writeFileSync(join(dir, ".google.xml.omnifeed-999999999-0123abcd.tmp"), "half a feed");
    // A killed run in a container that had the same pid as this one.
    writeFileSync(join(dir, `.meta.csv.omnifeed-${process.pid}-0123abcd.tmp`), "a killed run's temp");
    const ours = tempPathFor(join(dir, "amazon-listings-0001.json"));
    writeFileSync(ours, "this run's temp");
    expect((await removeStaleTempFiles(dir)).sort()).toEqual([
      ".google.xml.omnifeed-999999999-0123abcd.tmp",
      `.meta.csv.omnifeed-${process.pid}-0123abcd.tmp`,
    ]);
    expect(readdirSync(dir).sort()).toEqual([basename(ours), "google.xml"].sort());
  });

  it("records in the manifest what was published even when a later feed fails", async () => {
    const dir = freshDir();
    const good = await writeFeed(dir, lines, ["a", "b"]);
    const broken = await writeFeed(dir, numbered, ["x"]);
    rmSync(broken.parts[0]!.tempPath);
    await expect(
      publishFeeds(dir, [good, broken], { maxShrink: 0.2, force: false, allowEmpty: false }),
    ).rejects.toThrow();
    expect((await readManifest(dir)).feeds["test-lines"]?.entries).toBe(2);
    expect(readFileSync(join(dir, "lines.txt"), "utf8")).toBe("BEGIN\na\nb\nEND\n");
  });

  it("writes no file for a split feed without entries, and publishes that only when allowed and forced", async () => {
    const dir = freshDir();
    await publishFeeds(dir, [await writeFeed(dir, numbered, ["a", "b", "c"])], {
      maxShrink: 0.2,
      force: false,
      allowEmpty: false,
    });
    const empty = await writeFeed(dir, numbered, []);
    expect(empty.parts).toEqual([]);

    const [held] = await publishFeeds(dir, [empty], { maxShrink: 0.2, force: true, allowEmpty: false });
    expect(held).toMatchObject({ status: "held", previous: 3, entries: 0 });
    expect(held?.message).toContain("--allow-empty");
    expect(
      readdirSync(dir)
        .filter((name) => name.startsWith("numbered"))
        .sort(),
    ).toEqual(["numbered-1.txt", "numbered-2.txt"]);

    const [stillHeld] = await publishFeeds(dir, [await writeFeed(dir, numbered, [])], {
      maxShrink: 0.2,
      force: false,
      allowEmpty: true,
    });
    expect(stillHeld).toMatchObject({ status: "held", previous: 3, entries: 0 });

    const [forced] = await publishFeeds(dir, [await writeFeed(dir, numbered, [])], {
      maxShrink: 0.2,
      force: true,
      allowEmpty: true,
    });
    expect(forced?.status).toBe("published");
    expect(readdirSync(dir).filter((name) => name.startsWith("numbered"))).toEqual([]);
  });

  it("writes no file for an empty feed where nothing was published, and says why", async () => {
    const dir = freshDir();
    const [outcome] = await publishFeeds(dir, [await writeFeed(dir, lines, [])], {
      maxShrink: 0.2,
      force: true,
      allowEmpty: false,
      whyEmpty: () => "every item was rejected",
    });
    expect(outcome).toMatchObject({ status: "not_written", entries: 0, baseline: "none" });
    expect(outcome?.message).toBe(
      "no file written: 0 items, every item was rejected (--allow-empty writes it)",
    );
    expect(readdirSync(dir)).toEqual([MANIFEST_FILE]);
  });

  it("without a manifest entry, counts the published files as the baseline", async () => {
    const dir = freshDir();
    writeFileSync(join(dir, "lines.txt"), "BEGIN\na\nb\nc\nd\nEND\n");
    const [held] = await publishFeeds(dir, [await writeFeed(dir, lines, ["a"])], {
      maxShrink: 0.2,
      force: false,
      allowEmpty: false,
    });
    // BEGIN a b c d END: six rows after no header line of `id` — counted as not the layout.
    expect(held).toMatchObject({ status: "held", baseline: "uncountable" });

    writeFileSync(join(dir, "lines.txt"), "id\na\nb\nc\nd\ne\n");
    const [shrunk] = await publishFeeds(dir, [await writeFeed(dir, lines, ["a", "b"])], {
      maxShrink: 0.2,
      force: false,
      allowEmpty: false,
    });
    expect(shrunk).toMatchObject({ status: "held", baseline: "counted", previous: 5, entries: 2 });
    expect(readFileSync(join(dir, "lines.txt"), "utf8")).toBe("id\na\nb\nc\nd\ne\n");

    writeFileSync(join(dir, "numbered-1.txt"), "");
    writeFileSync(join(dir, "numbered-2.txt"), "");
    writeFileSync(join(dir, "numbered-3.txt"), "");
    const [split] = await publishFeeds(dir, [await writeFeed(dir, numbered, ["a"])], {
      maxShrink: 1,
      force: true,
      allowEmpty: false,
    });
    // Forced past files it cannot count; the parts this run no longer writes are removed.
    expect(split).toMatchObject({ status: "published", baseline: "uncountable" });
    expect(readdirSync(dir).filter((name) => name.startsWith("numbered"))).toEqual(["numbered-1.txt"]);
  });

  it("aborting a feed leaves nothing behind", async () => {
    const dir = freshDir();
    const writer = new FeedWriter(lines, null, [], { dir, gzip: false });
    await writer.start();
    await writer.write(encodeEntries(["x\n"]));
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});
