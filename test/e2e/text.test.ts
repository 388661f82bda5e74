import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseCsvSync } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, freshDir, omnifeed } from "./cli.js";

const TEXT = join(ROOT, "fixtures/catalogs/text");
const dirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = freshDir(prefix);
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function parseCsv(text: string): string[][] {
  const rows: string[][] = parseCsvSync(text, { relax_column_count: true });
  return rows;
}

function exportOf(catalog: string, out: string, extra: readonly string[] = []) {
  return omnifeed([
    "export",
    "--catalog",
    join(TEXT, catalog),
    "--channel",
    "google,meta",
    "--out",
    out,
    "--quiet",
    ...extra,
  ]);
}

describe("catalog text encodings", () => {
  it("stops a windows-1252 file read as UTF-8 with the first bad line and the --encoding to use, publishing nothing", async () => {
    const out = tempDir("cp1252-stop");
    const result = await exportOf("windows-1252.csv", out);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `omnifeed: ${join(TEXT, "windows-1252.csv")}:3: not valid UTF-8 (byte 0xE9 at column 10); ` +
        "the file looks like windows-1252: run again with --encoding windows-1252",
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it("validate stops too instead of saying there are no errors", async () => {
    const result = await omnifeed([
      "validate",
      "--catalog",
      join(TEXT, "windows-1252.csv"),
      "--channel",
      "google",
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).not.toContain("no errors");
    expect(result.stderr).toContain("windows-1252.csv:3: not valid UTF-8");
  });

  it("suggests latin1 for a file without windows-1252's own characters", async () => {
    const result = await exportOf("latin1.csv", tempDir("latin1-stop"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("latin1.csv:3: not valid UTF-8 (byte 0xE9 at column 10)");
    expect(result.stderr).toContain("run again with --encoding latin1");
  });

  it("transcodes with --encoding windows-1252: accents, curly quotes and dashes reach the feeds intact", async () => {
    const out = tempDir("cp1252");
    const result = await exportOf("windows-1252.csv", out, ["--encoding", "windows-1252"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const xml = readFileSync(join(out, "google.xml"), "utf8");
    expect(xml).toContain("<g:title>Café Mug</g:title>");
    expect(xml).toContain("<g:description>“Crème” glaze – dishwasher safe.</g:description>");
    expect(readFileSync(join(out, "meta.csv"), "utf8")).toContain("Café Mug");
    for (const feed of ["google.xml", "meta.csv"])
      expect(readFileSync(join(out, feed), "utf8")).not.toContain("\uFFFD");
  });

  it("takes the encoding from the config file's catalog section", async () => {
    const out = tempDir("cp1252-config");
    const config = join(out, "..", `${out.split("/").pop()}.yaml`);
    writeFileSync(
      config,
      `catalog:\n  file: ${join(TEXT, "windows-1252.csv")}\n  encoding: windows-1252\nchannels:\n  google: {}\n`,
    );
    try {
      const result = await omnifeed(["export", "--config", config, "--out", out, "--quiet"]);
      expect(result.code).toBe(0);
      expect(readFileSync(join(out, "google.xml"), "utf8")).toContain("<g:title>Café Mug</g:title>");
    } finally {
      rmSync(config, { force: true });
    }
  });

  it("refuses an unknown --encoding as a command-line error", async () => {
    const result = await exportOf("windows-1252.csv", tempDir("bad-encoding"), ["--encoding", "klingon"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--encoding: unknown encoding "klingon"');
  });

  it("reads a UTF-16LE file with a byte order mark", async () => {
    const out = tempDir("utf16");
    const result = await exportOf("utf16le-bom.csv", out);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("2 records → 2 products, 2 variants; 0 row errors");
    const xml = readFileSync(join(out, "google.xml"), "utf8");
    expect(xml).toContain("<g:id>MUG-2</g:id>");
    expect(xml).toContain("<g:title>Café Mug</g:title>");
    expect(existsSync(join(out, "meta.csv"))).toBe(true);
  });

  it("reads a UTF-16LE file without a byte order mark by its zero bytes", async () => {
    const out = tempDir("utf16-no-bom");
    const result = await exportOf("utf16le-no-bom.csv", out);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("2 records → 2 products, 2 variants; 0 row errors");
    expect(readFileSync(join(out, "google.xml"), "utf8")).toContain("<g:title>Café Mug</g:title>");
  });
});

describe("feed text hygiene", () => {
  async function hygieneExport(): Promise<{ out: string; stdout: string }> {
    const out = tempDir("hygiene");
    const result = await omnifeed([
      "export",
      "--config",
      join(TEXT, "omnifeed.config.yaml"),
      "--out",
      out,
      "--quiet",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    return { out, stdout: result.stdout };
  }
  const feed = (out: string, name: string): string => readFileSync(join(out, name), "utf8");

  it("decodes HTML entities once and strips tags from titles, in every feed", async () => {
    const { out } = await hygieneExport();
    for (const name of ["google.xml", "meta.xml"]) {
      expect(feed(out, name)).toContain("<g:title>Café Mug</g:title>");
      expect(feed(out, name)).toContain("<g:description>Mug for café &amp; tea. Glazed.</g:description>");
      expect(feed(out, name)).not.toContain("&amp;eacute;");
      expect(feed(out, name)).not.toContain("&lt;b&gt;");
    }
    expect(feed(out, "google.tsv")).toContain("CAFE-1\tCafé Mug\tMug for café & tea. Glazed.");
    expect(feed(out, "meta.csv")).toContain("CAFE-1,Café Mug,Mug for café & tea. Glazed.,");
  });

  it("drops control characters from CSV and TSV feeds as from XML", async () => {
    const { out } = await hygieneExport();
    // eslint-disable-next-line no-control-regex -- the point is that no control character remains
    const control = /[\0-\x08\x0B\x0C\x0E-\x1F]/;
    for (const name of ["google.xml", "google.tsv", "meta.csv", "meta.xml"])
      expect(feed(out, name), name).not.toMatch(control);
  });

  it("warns on the item, naming field and limit, when a title is cut to the channel's limit", async () => {
    const { out, stdout } = await hygieneExport();
    expect(stdout).toContain("truncated (title) — e.g. BOWL-1: cut to 150 characters (the text had 196)");
    const issues = feed(out, "omnifeed-issues.jsonl")
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as { code: string; sku: string; channel: string; field: string; line: number },
      );
    const truncated = issues.filter((issue) => issue.code === "truncated");
    expect(
      truncated.map((issue) => `${issue.channel}:${issue.sku}:${issue.field}:${issue.line}`).sort(),
    ).toEqual(["google:BOWL-1:title:3", "meta:BOWL-1:title:3"]);
    const title = /<g:id>BOWL-1<\/g:id>\s*<g:title>([^<]*)<\/g:title>/.exec(feed(out, "google.xml"))?.[1];
    expect(title?.length).toBeLessThanOrEqual(150);
  });

  it("lets a U+FFFD already in the catalog through only with a warning on the item", async () => {
    const { out } = await hygieneExport();
    const issues = feed(out, "omnifeed-issues.jsonl");
    for (const channel of ["google", "meta"]) {
      expect(issues).toContain(`"code":"replacement_character","field":"title"`);
      expect(issues).toMatch(
        new RegExp(`"code":"replacement_character".*"channel":"${channel}","sku":"FFFD-1"`),
      );
    }
  });

  it("writes Meta's internal_label as a JSON list in CSV and one element per label in XML", async () => {
    const { out } = await hygieneExport();
    const csv = feed(out, "meta.csv");
    const header = csv.split("\n")[0]!.split(",");
    const column = header.indexOf("internal_label");
    const cafe = parseCsv(csv).find((row) => row[0] === "CAFE-1")!;
    expect(JSON.parse(cafe[column]!)).toEqual(["summer", "kitchen", "gift"]);
    expect(feed(out, "meta.xml")).toContain(
      "<g:internal_label>summer</g:internal_label>\n      <g:internal_label>kitchen</g:internal_label>\n      <g:internal_label>gift</g:internal_label>",
    );
  });
});
