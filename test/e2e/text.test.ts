import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
});
