import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliResult } from "./cli.js";
import { ROOT, freshDir, omnifeed } from "./cli.js";

/**
 * A Shopify export opened and saved in a spreadsheet (fixtures/catalogs/identifiers/): MUG-350's
 * barcode and MPN in scientific notation, CUP-90's UPC without its leading zero, BOWL-1 a custom
 * product with a category Google does not know, HAT-1 a beanie in Hats (173) without a colour.
 */

const FIXTURE = join(ROOT, "fixtures/catalogs/identifiers");
const CONFIG = join(FIXTURE, "omnifeed.config.yaml");
const CATALOG = "fixtures/catalogs/identifiers/catalog.shopify.csv";
const JUNK = "3.65275E+11";

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = freshDir(prefix);
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function exportTo(out: string, extra: readonly string[] = []): Promise<CliResult> {
  return omnifeed([
    "export",
    "--config",
    CONFIG,
    "--channel",
    "google,meta,amazon",
    "--out",
    out,
    "--quiet",
    ...extra,
  ]);
}

/** The `<item>` of an RSS feed whose `g:id` is `id`, or undefined. */
function xmlItem(xml: string, id: string): string | undefined {
  return xml.split("<item>").find((item) => item.includes(`<g:id>${id}</g:id>`));
}

/** The rows of a delimited file as records by header. */
function rowsOf(text: string, separator: string): Record<string, string>[] {
  const [header = "", ...lines] = text.trimEnd().split("\n");
  const names = header.split(separator);
  return lines.map((line) => {
    const cells = line.split(separator);
    return Object.fromEntries(names.map((name, index) => [name, cells[index] ?? ""]));
  });
}

interface AmazonMessage {
  sku: string;
  attributes: Record<string, { value?: unknown; type?: string }[]>;
}

function amazonMessages(out: string): AmazonMessage[] {
  const document = JSON.parse(readFileSync(join(out, "amazon-listings-0001.json"), "utf8")) as {
    messages: AmazonMessage[];
  };
  return document.messages;
}

describe("identifiers that went through a spreadsheet, with the default policies", () => {
  let out: string;
  let result: CliResult;
  const read = (file: string): string => readFileSync(join(out, file), "utf8");

  beforeAll(async () => {
    out = tempDir("identifiers");
    result = await exportTo(out);
  });

  it("exports, and no feed carries the damaged barcode as gtin or mpn", () => {
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    for (const file of [
      "google.xml",
      "google.tsv",
      "google-local-inventory.tsv",
      "meta.csv",
      "meta.xml",
      "amazon-listings-0001.json",
    ]) {
      expect(read(file), file).not.toContain(JUNK);
    }
  });

  it("google.xml: the damaged item sells without gtin and mpn, the repaired UPC is sent, the custom product says identifier_exists = no, the beanie is held", () => {
    const xml = read("google.xml");
    const mug = xmlItem(xml, "MUG-350");
    expect(mug).toBeDefined();
    expect(mug).not.toContain("<g:gtin>");
    expect(mug).not.toContain("<g:mpn>");
    // The category path from the catalog is sent as its id.
    expect(mug).toContain("<g:google_product_category>2169</g:google_product_category>");
    expect(xmlItem(xml, "CUP-90")).toContain("<g:gtin>036000291452</g:gtin>");
    const bowl = xmlItem(xml, "BOWL-1");
    expect(bowl).toContain("<g:identifier_exists>no</g:identifier_exists>");
    expect(bowl).not.toContain("<g:google_product_category>");
    expect(xmlItem(xml, "HAT-1")).toBeUndefined();
  });

  it("google.tsv and google-local-inventory.tsv: the same items and values", () => {
    const rows = rowsOf(read("google.tsv"), "\t");
    expect(rows.map((row) => row.id)).toEqual(["MUG-350", "CUP-90", "BOWL-1"]);
    expect(
      rows.map((row) => [row.gtin, row.mpn, row.google_product_category, row.identifier_exists]),
    ).toEqual([
      ["", "", "2169", ""],
      ["036000291452", "", "2169", ""],
      ["", "", "", "no"],
    ]);
    const stores = rowsOf(read("google-local-inventory.tsv"), "\t");
    expect(stores.map((row) => row.id)).toEqual(["MUG-350", "CUP-90", "BOWL-1"]);
  });

  it("meta.csv and meta.xml: the same identifier check as Google; no apparel rule holds the beanie", () => {
    const rows = rowsOf(read("meta.csv"), ",");
    expect(rows.map((row) => [row.id, row.gtin, row.mpn, row.google_product_category])).toEqual([
      ["MUG-350", "", "", "2169"],
      ["CUP-90", "036000291452", "", "2169"],
      ["BOWL-1", "", "", ""],
      ["HAT-1", "4006381333931", "", "173"],
    ]);
    const xml = read("meta.xml");
    expect(xmlItem(xml, "MUG-350")).not.toContain("<g:gtin>");
    expect(xmlItem(xml, "CUP-90")).toContain("<g:gtin>036000291452</g:gtin>");
  });

  it("amazon: the listing with a damaged barcode is rejected; the repaired UPC goes out as a upc", () => {
    const messages = amazonMessages(out);
    expect(messages.map((message) => message.sku)).toEqual(["CUP-90", "BOWL-1", "HAT-1"]);
    expect(messages[0]?.attributes.externally_assigned_product_identifier).toEqual([
      { type: "upc", value: "036000291452", marketplace_id: "ATVPDKIKX0DER" },
    ]);
  });

  it("says where, what went wrong and how to fix it", async () => {
    const validate = await omnifeed(["validate", "--config", CONFIG, "--channel", "google,meta,amazon"]);
    expect(validate.code).toBe(3);
    const lines = validate.stdout.split("\n");
    const line = (prefix: string): string => lines.find((text) => text.startsWith(prefix)) ?? "";
    for (const channel of ["google", "meta"]) {
      expect(
        line(`${CATALOG}:2: ${channel} MUG-350: warning gtin_spreadsheet_damage: gtin: "${JUNK}"`),
      ).toContain("format the barcode column as text before saving");
      expect(
        line(`${CATALOG}:2: ${channel} MUG-350: warning mpn_spreadsheet_damage: mpn: "${JUNK}"`),
      ).toContain("mpn is left out so the item still sells");
      expect(
        line(`${CATALOG}:3: ${channel} CUP-90: warning gtin_leading_zeros_restored: gtin: "36000291452"`),
      ).toContain('sent as "036000291452"');
      expect(line(`${CATALOG}:4: ${channel} BOWL-1: warning google_product_category_unknown`)).toContain(
        '"Tableware > Bowls" is not in Google\'s product taxonomy',
      );
    }
    expect(
      line(
        `${CATALOG}:2: amazon MUG-350: error gtin_spreadsheet_damage: externally_assigned_product_identifier:`,
      ),
    ).toContain("the item is not sent (invalid_identifiers: reject)");
    expect(lines).toContain(
      `${CATALOG}:5: google HAT-1: error apparel_attribute_missing: color: color is required for apparel in US`,
    );
  });
});

describe("invalid_identifiers changed in the mapping", () => {
  it("reject keeps the item out of Google's feeds; drop lets an Amazon listing go without the GTIN or an exemption", async () => {
    const dir = tempDir("identifiers-policy");
    const google = join(dir, "google.yaml");
    writeFileSync(
      google,
      [
        "version: 1",
        "channel: google",
        "extends: default",
        "settings:",
        "  link: https://shop.example.com",
        "  invalid_identifiers: reject",
        "feeds: [google-xml, google-tsv]",
        "",
      ].join("\n"),
    );
    const amazon = join(dir, "amazon.yaml");
    writeFileSync(
      amazon,
      [
        "version: 1",
        "channel: amazon",
        "extends: default",
        "settings:",
        "  invalid_identifiers: drop",
        "fields:",
        "  product_type: HOME",
        "",
      ].join("\n"),
    );
    const out = join(dir, "out");
    const result = await exportTo(out, ["--mapping", `google=${google}`, "--mapping", `amazon=${amazon}`]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const xml = readFileSync(join(out, "google.xml"), "utf8");
    expect(xmlItem(xml, "MUG-350")).toBeUndefined();
    expect(xmlItem(xml, "CUP-90")).toContain("<g:gtin>036000291452</g:gtin>");
    expect(rowsOf(readFileSync(join(out, "google.tsv"), "utf8"), "\t").map((row) => row.id)).toEqual([
      "CUP-90",
      "BOWL-1",
    ]);
    // Meta keeps its own default (drop).
    expect(xmlItem(readFileSync(join(out, "meta.xml"), "utf8"), "MUG-350")).toBeDefined();
    const mug = amazonMessages(out).find((message) => message.sku === "MUG-350");
    expect(mug).toBeDefined();
    expect(mug?.attributes.externally_assigned_product_identifier).toBeUndefined();
    expect(mug?.attributes.supplier_declared_has_product_identifier_exemption).toBeUndefined();
    const report = JSON.parse(readFileSync(join(out, "omnifeed-report.json"), "utf8")) as {
      channels: { channel: string; issues: { code: string; severity: string }[] }[];
    };
    const codes = (channel: string) =>
      report.channels
        .find((entry) => entry.channel === channel)
        ?.issues.map((issue) => `${issue.severity}:${issue.code}`);
    expect(codes("google")).toContain("error:gtin_spreadsheet_damage");
    expect(codes("amazon")).toContain("warning:gtin_spreadsheet_damage");
  });
});

describe("explain shows what the channel sends", () => {
  it("names the fields the channel changed after the mapping: a category path sent as its id, a damaged barcode left out", async () => {
    const result = await omnifeed(["explain", "MUG-350", "--config", CONFIG, "--channel", "google"]);
    expect(result.code).toBe(0);
    const changed = result.stdout.slice(result.stdout.indexOf("changed by the channel:"));
    expect(changed).toMatch(/google_product_category {2}sent as 2169\n/);
    expect(changed).toMatch(/gtin {2}\(left out, see the issues\)\n/);
    expect(changed).toMatch(/mpn {2}\(left out, see the issues\)\n/);
  });
});
