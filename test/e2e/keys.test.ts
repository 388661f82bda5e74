import { readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_CONFIG, ROOT, freshDir, omnifeed } from "./cli.js";

const KEYS = join(ROOT, "fixtures/catalogs/keys");
const CATALOG = join(KEYS, "catalog.csv");
const ALL_FEEDS = "google-xml,google-tsv,google-local-inventory,meta-csv,meta-xml,amazon-json";
const FEED_FILES = [
  "google.xml",
  "google.tsv",
  "google-local-inventory.tsv",
  "meta.csv",
  "meta.xml",
  "amazon-listings-0001.json",
];

const dirs: string[] = [];
function outDir(name: string): string {
  const dir = freshDir(`keys-${name}`);
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const base = ["--config", DEMO_CONFIG, "--catalog", CATALOG, "--channel", "google,meta,amazon"];

function exportKeys(out: string, extra: readonly string[] = []) {
  return omnifeed(["export", ...base, "--feeds", ALL_FEEDS, "--out", out, "--quiet", ...extra]);
}

function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), "utf8");
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

interface ChannelSummaryJson {
  channel: string;
  read: number;
  rejected: number;
  duplicates: number;
  accepted: number;
  issues: { code: string; count: number; field: string }[];
}

describe("one item per channel key", () => {
  it("validate names every line of a duplicated key per channel, counts them and exits 3", async () => {
    const result = await omnifeed(["validate", ...base, "--workers", "0"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      'fixtures/catalogs/keys/catalog.csv:2, 20, 32: google MUG-001: error duplicate_key: id: id "MUG-001" appears 3 times',
    );
    expect(result.stdout).toContain(
      'fixtures/catalogs/keys/catalog.csv:2, 20, 32: meta MUG-001: error duplicate_key: id: id "MUG-001" appears 3 times',
    );
    expect(result.stdout).toContain(
      'fixtures/catalogs/keys/catalog.csv:2, 20, 32: amazon MUG-001: error duplicate_key: sku: sku "MUG-001" appears 3 times',
    );
    expect(result.stdout).toContain("the first is kept, the others are left out");
    expect(result.stdout).toMatch(
      /google\s+6 read · 0 filtered out · 2 rejected \(2 duplicate keys\) · 4 accepted/,
    );
    expect(result.stdout).toMatch(
      /amazon\s+6 read · 0 filtered out · 2 rejected \(2 duplicate keys\) · 4 accepted/,
    );
    expect(result.stdout).not.toContain("no errors");
  });

  it("validate --json gives the duplicate as one item issue with all its lines, and the counts", async () => {
    const result = await omnifeed(["validate", ...base, "--json", "--workers", "2"]);
    expect(result.code).toBe(3);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const duplicates = lines.filter((line) => line.code === "duplicate_key");
    expect(duplicates.map((line) => line.channel)).toEqual(["google", "meta", "amazon"]);
    for (const issue of duplicates) {
      expect(issue).toMatchObject({
        kind: "item",
        severity: "error",
        sku: "MUG-001",
        line: 2,
        lines: [2, 20, 32],
      });
    }
    const summary = lines.at(-1) as { kind: string; clean: boolean; channels: ChannelSummaryJson[] };
    expect(summary).toMatchObject({ kind: "summary", clean: false });
    for (const channel of summary.channels) {
      expect(channel).toMatchObject({ read: 6, rejected: 2, duplicates: 2, accepted: 4 });
      expect(channel.issues).toContainEqual(expect.objectContaining({ code: "duplicate_key", count: 1 }));
    }
  });

  it("export --strict publishes nothing and exits 3", async () => {
    const out = outDir("strict");
    const result = await exportKeys(out, ["--strict"]);
    expect(result.code).toBe(3);
    for (const feed of FEED_FILES) expect(readdirSync(out)).not.toContain(feed);
    const report = JSON.parse(read(out, "omnifeed-report.json")) as { status: string };
    expect(report.status).toBe("strict_failed");
  });

  it("export keeps the first row of a duplicated key in all six feeds and reports the rest", async () => {
    const out = outDir("six");
    const result = await exportKeys(out);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);

    const xml = read(out, "google.xml");
    expect(count(xml, "<g:id>MUG-001</g:id>")).toBe(1);
    expect(xml).toContain("12.00 USD");
    expect(xml).not.toContain("14.00 USD");
    expect(xml).not.toContain("16.00 USD");
    const tsv = read(out, "google.tsv").split("\n");
    expect(tsv.filter((line) => line.startsWith("MUG-001\t"))).toHaveLength(1);
    expect(tsv.find((line) => line.startsWith("MUG-001\t"))).toContain("12.00 USD");
    // Five stores: one row each for the kept item, none for the left-out ones.
    const local = read(out, "google-local-inventory.tsv").split("\n");
    expect(local.filter((line) => line.split("\t")[1] === "MUG-001")).toHaveLength(5);
    expect(
      local.filter((line) => line.split("\t")[1] === "MUG-001").every((line) => line.includes("12.00 USD")),
    ).toBe(true);
    const metaCsv = read(out, "meta.csv").split("\n");
    expect(metaCsv.filter((line) => line.startsWith("MUG-001,"))).toHaveLength(1);
    expect(metaCsv.find((line) => line.startsWith("MUG-001,"))).toContain("12.00 USD");
    const metaXml = read(out, "meta.xml");
    expect(count(metaXml, "<g:id>MUG-001</g:id>")).toBe(1);
    expect(metaXml).not.toContain("14.00 USD");
    const amazon = JSON.parse(read(out, "amazon-listings-0001.json")) as {
      messages: { sku: string; attributes: { purchasable_offer?: unknown } }[];
    };
    const mugs = amazon.messages.filter((message) => message.sku === "MUG-001");
    expect(mugs).toHaveLength(1);
    expect(JSON.stringify(mugs[0]!.attributes.purchasable_offer)).toContain("12");
    expect(amazon.messages.map((message) => message.sku)).toEqual([
      "MUG-001",
      "TEE-002",
      "TEE TAB-003",
      "TEE-005",
    ]);

    const report = JSON.parse(read(out, "omnifeed-report.json")) as {
      channels: ChannelSummaryJson[];
      feeds: { feedId: string; entries: number }[];
    };
    for (const channel of report.channels) {
      expect(channel).toMatchObject({ read: 6, rejected: 2, duplicates: 2, accepted: 4 });
    }
    for (const feed of report.feeds) expect(feed.entries, feed.feedId).toBe(4);
    const issues = read(out, "omnifeed-issues.jsonl")
      .trim()
      .split("\n")
      .map(
        (line) => JSON.parse(line) as { code?: string; channel?: string; lines?: number[]; message: string },
      );
    const duplicates = issues.filter((issue) => issue.code === "duplicate_key");
    expect(duplicates).toHaveLength(3);
    for (const issue of duplicates) {
      expect(issue.lines).toEqual([2, 20, 32]);
      expect(issue.message).toContain("appears 3 times (catalog.csv:2, 20, 32)");
    }
  });

  it("gives the same feeds, report counts and issues inline and on two workers", async () => {
    const inline = outDir("inline");
    const workers = outDir("workers");
    expect((await exportKeys(inline, ["--workers", "0", "--batch-size", "1"])).code).toBe(0);
    expect((await exportKeys(workers, ["--workers", "2", "--batch-size", "1"])).code).toBe(0);
    for (const feed of [...FEED_FILES, "omnifeed-issues.jsonl"]) {
      expect(read(workers, feed), feed).toBe(read(inline, feed));
    }
    const channelsOf = (dir: string) =>
      (JSON.parse(read(dir, "omnifeed-report.json")) as { channels: unknown }).channels;
    expect(channelsOf(workers)).toEqual(channelsOf(inline));
  });

  it("writes a SKU with a tab as one id, the same in google.xml, google.tsv and the local inventory", async () => {
    const out = outDir("tab");
    expect((await exportKeys(out)).code).toBe(0);
    expect(read(out, "google.xml")).toContain("<g:id>TEE TAB-003</g:id>");
    expect(
      read(out, "google.tsv")
        .split("\n")
        .map((line) => line.split("\t")[0]),
    ).toContain("TEE TAB-003");
    const local = read(out, "google-local-inventory.tsv").split("\n").slice(1).filter(Boolean);
    expect(local.filter((line) => line.split("\t")[1] === "TEE TAB-003")).toHaveLength(5);
    expect(read(out, "meta.xml")).toContain("<g:id>TEE TAB-003</g:id>");
    expect(read(out, "meta.csv")).toContain("\nTEE TAB-003,");
    expect(read(out, "google.xml")).not.toContain("TEE\tTAB");
  });

  it("follows a mapping that takes the key from another field", async () => {
    const result = await omnifeed([
      "validate",
      ...base,
      "--mapping",
      `google=${join(KEYS, "google-id-from-mpn.yaml")}`,
      "--json",
    ]);
    expect(result.code).toBe(3);
    const duplicates = result.stdout
      .trim()
      .split("\n")
      .map(
        (line) => JSON.parse(line) as { code?: string; channel?: string; lines?: number[]; message?: string },
      )
      .filter((issue) => issue.code === "duplicate_key");
    // On Google the MPN is the key: the two SKUs sharing MPN-2 collide, the three MUG-001 rows do not.
    const google = duplicates.filter((issue) => issue.channel === "google");
    expect(google).toHaveLength(1);
    expect(google[0]!.lines).toEqual([8, 26]);
    expect(google[0]!.message).toContain('id "MPN-2" appears 2 times');
    expect(duplicates.filter((issue) => issue.channel === "meta")).toEqual([
      expect.objectContaining({ lines: [2, 20, 32] }),
    ]);
  });
});
