import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { ROOT, DEMO, DEMO_FEEDS, demoExport, freshDir, omnifeed } from "./cli.js";

const GOLDEN = join(ROOT, "fixtures/golden/demo");
// `UPDATE_GOLDEN=1 npx vitest run test/e2e` rewrites the golden files after a deliberate change.
const updateGolden = process.env.UPDATE_GOLDEN === "1";

/** A copy of a published output directory, to try another run against the same manifest. */
function freshDirWith(source: string): string {
  const copy = freshDir("copy");
  cpSync(source, copy, { recursive: true });
  return copy;
}

function read(dir: string, name: string): Buffer {
  return readFileSync(join(dir, name));
}

describe("omnifeed export on the demo catalog", () => {
  it("writes every feed, reports bad rows with file, line and field, and exits 0", async () => {
    const out = freshDir("demo");
    const result = await demoExport(out);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('fixtures/catalogs/demo/catalog.csv:106: price: "N/A" is not a price');
    expect(result.stdout).toContain("fixtures/catalogs/demo/catalog.csv:76: sku: SKU is empty");
    expect(result.stdout).toMatch(/google\s+97 read · 0 filtered out · 6 rejected · 91 accepted/);
    expect(result.stdout).toContain("gtin_check_digit (gtin)");
    for (const feed of DEMO_FEEDS) expect(existsSync(join(out, feed)), feed).toBe(true);
    expect(readdirSync(out).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("matches the golden files byte for byte", async () => {
    const out = freshDir("golden");
    expect((await demoExport(out)).code).toBe(0);
    for (const feed of DEMO_FEEDS) {
      if (updateGolden) writeFileSync(join(GOLDEN, feed), read(out, feed));
      expect(read(out, feed).equals(read(GOLDEN, feed)), `${feed} differs from fixtures/golden/demo`).toBe(
        true,
      );
    }
  });

  it("writes XML that parses back with escaping intact and one item per accepted variant", async () => {
    const out = freshDir("xml");
    const result = await demoExport(out, ["--json"]);
    const summary = JSON.parse(result.stdout) as {
      summary: { channels: { channel: string; accepted: number }[] };
    };
    const parser = new XMLParser({
      ignoreAttributes: false,
      parseTagValue: false,
      isArray: (name) => name === "item",
    });
    for (const [file, channel] of [
      ["google.xml", "google"],
      ["meta.xml", "meta"],
    ] as const) {
      const xml = read(out, file).toString("utf8");
      const controls = [...xml].filter((char) => {
        const code = char.charCodeAt(0);
        return code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d;
      });
      expect(controls).toEqual([]);
      const items = (parser.parse(xml) as { rss: { channel: { item: Record<string, unknown>[] } } }).rss
        .channel.item;
      const accepted = summary.summary.channels.find((entry) => entry.channel === channel)?.accepted;
      expect(items.length).toBe(accepted);
      const titles = items.map((item) => String(item["g:title"]));
      expect(titles.some((title) => title.includes("&"))).toBe(true);
      expect(titles.some((title) => /\p{Extended_Pictographic}/u.test(title))).toBe(true);
    }
  });

  it("gives identical feeds from the CSV, JSON, JSONL, Shopify and WooCommerce versions of the catalog", async () => {
    const reference = freshDir("format-csv");
    expect((await demoExport(reference)).code).toBe(0);
    for (const file of ["catalog.json", "catalog.jsonl", "catalog.shopify.csv", "catalog.woocommerce.csv"]) {
      const out = freshDir("format");
      const result = await demoExport(out, ["--catalog", join(DEMO, file)]);
      expect(result.code, file).toBe(0);
      for (const feed of DEMO_FEEDS) {
        expect(read(out, feed).equals(read(reference, feed)), `${feed} from ${file}`).toBe(true);
      }
    }
  });

  it("builds the same bytes on worker threads as on the main thread", async () => {
    const inline = freshDir("inline");
    const threads = freshDir("threads");
    expect((await demoExport(inline, ["--workers", "0", "--batch-size", "5"])).code).toBe(0);
    expect((await demoExport(threads, ["--workers", "2", "--batch-size", "5"])).code).toBe(0);
    for (const feed of DEMO_FEEDS) expect(read(threads, feed).equals(read(inline, feed)), feed).toBe(true);
  });

  it("with --strict exits 3 and publishes nothing", async () => {
    const out = freshDir("strict");
    const result = await demoExport(out, ["--strict"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("--strict: errors found, nothing was published");
    for (const feed of DEMO_FEEDS) expect(existsSync(join(out, feed))).toBe(false);
  });

  it("holds a feed that shrank past --max-shrink, keeps the published file, and publishes it with --force", async () => {
    const out = freshDir("shrink");
    expect((await demoExport(out)).code).toBe(0);
    const before = Object.fromEntries(DEMO_FEEDS.map((feed) => [feed, read(out, feed)]));

    // The same store with two thirds of its products gone: a broken export upstream, say.
    const products = readFileSync(join(DEMO, "catalog.jsonl"), "utf8").split("\n");
    const truncated = join(freshDir("truncated"), "catalog.jsonl");
    writeFileSync(truncated, `${products.slice(0, 10).join("\n")}\n`);

    const held = await demoExport(out, ["--catalog", truncated]);
    expect(held.code).toBe(4);
    expect(held.stdout).toMatch(/HELD: 91 → \d+ \(−\d+%\) is more than the 20% allowed/);
    for (const feed of DEMO_FEEDS) expect(read(out, feed).equals(before[feed]!), feed).toBe(true);

    // A merchant who expects the clear-out raises the limit instead of forcing.
    const allowed = await demoExport(freshDirWith(out), ["--catalog", truncated, "--max-shrink", "90"]);
    expect(allowed.code).toBe(0);

    const forced = await demoExport(out, ["--catalog", truncated, "--force"]);
    expect(forced.code).toBe(0);
    expect(read(out, "google.xml").length).toBeLessThan(before["google.xml"]!.length);
  });

  it("writes gzip feeds with the same content", async () => {
    const plain = freshDir("plain");
    const gzipped = freshDir("gzip");
    expect((await demoExport(plain)).code).toBe(0);
    expect((await demoExport(gzipped, ["--gzip"])).code).toBe(0);
    for (const feed of DEMO_FEEDS) {
      expect(gunzipSync(read(gzipped, `${feed}.gz`)).equals(read(plain, feed)), feed).toBe(true);
    }
  });

  it("refuses a bad command line with exit code 2 and a clear message", async () => {
    const unknownChannel = await omnifeed([
      "export",
      "--catalog",
      join(DEMO, "catalog.csv"),
      "--channel",
      "ebay",
      "--out",
      freshDir("x"),
    ]);
    expect(unknownChannel.code).toBe(2);
    expect(unknownChannel.stderr).toContain('--channel: unknown channel "ebay"');
    const missing = await omnifeed([
      "export",
      "--catalog",
      join(DEMO, "nope.csv"),
      "--channel",
      "google",
      "--out",
      freshDir("x"),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.csv");
  });
});
