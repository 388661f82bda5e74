import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO, DEMO_CONFIG, ROOT, freshDir, omnifeed } from "./cli.js";

const catalog = join(DEMO, "catalog.csv");
const common = ["--config", DEMO_CONFIG, "--catalog", catalog, "--channel", "google,meta,amazon"];

describe("omnifeed validate", () => {
  it("prints every row and item issue with file and line, writes nothing, and exits 3 on errors", async () => {
    const result = await omnifeed(["validate", ...common]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      'fixtures/catalogs/demo/catalog.csv:109: price: "12,99 €" is not a price',
    );
    expect(result.stdout).toMatch(
      /catalog\.csv:\d+: amazon JEAN-SLM-32x32: error gtin_check_digit: externally_assigned_product_identifier: /,
    );
    expect(result.stdout).toContain("errors found");
  });

  it("answers in JSON lines: every issue as it is found, then the summary", async () => {
    const result = await omnifeed(["validate", ...common, "--json"]);
    expect(result.code).toBe(3);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const summary = lines.at(-1) as {
      kind: string;
      clean: boolean;
      catalog: { variants: number; rowErrors: number };
    };
    expect(summary).toMatchObject({ kind: "summary", clean: false, catalog: { variants: 97, rowErrors: 3 } });
    const rows = lines.filter((line) => line.kind === "row");
    expect(rows.map((issue) => [issue.line, issue.field])).toEqual([
      [76, "sku"],
      [106, "price"],
      [109, "price"],
    ]);
    const items = lines.filter((line) => line.kind === "item");
    expect(items.filter((issue) => issue.code === "gtin_check_digit").map((issue) => issue.sku)).toContain(
      "CHG-65W-BLA",
    );
  });

  it("exits 0 on a catalog without errors", async () => {
    const file = join(freshDir("clean"), "clean.csv");
    writeFileSync(
      file,
      "item_group_id,sku,title,description,brand,link,image_link,gtin,price,quantity\n" +
        "MUG,MUG-1,Stoneware Mug,A mug,Acme,https://shop.example.com/p/mug,https://shop.example.com/i/mug.jpg,4006381333931,12.00,3\n",
    );
    const result = await omnifeed(["validate", "--catalog", file, "--channel", "google,meta"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("no errors");
  });
});

describe("omnifeed explain", () => {
  it("shows the source row, the rules that fired, the output fields and the issues per channel", async () => {
    const result = await omnifeed(["explain", "TEE-ORG-WHI-S", ...common]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("SKU TEE-ORG-WHI-S — fixtures/catalogs/demo/catalog.csv:2 (csv)");
    expect(result.stdout).toContain("google: accepted → google-xml, google-tsv, google-local-inventory");
    expect(result.stdout).toContain("rule item-group fired: variant_count gt 1 → item_group_id");
    expect(result.stdout).toMatch(/google_product_category +212/);
    expect(result.stdout).toContain("amazon: accepted → amazon-json");
  });

  it("says why an item was rejected", async () => {
    const result = await omnifeed(["explain", "JEAN-SLM-32x32", ...common, "--json"]);
    const explained = JSON.parse(result.stdout) as {
      channels: { channel: string; result: { status: string; issues: { code: string }[] } }[];
    };
    // Its GTIN has a wrong check digit: Amazon holds the listing, Google sells it without the GTIN.
    const status = (channel: string) => explained.channels.find((entry) => entry.channel === channel)?.result;
    expect(status("amazon")?.status).toBe("rejected");
    expect(status("amazon")?.issues.map((issue) => issue.code)).toContain("gtin_check_digit");
    expect(status("google")?.status).toBe("accepted");
    expect(status("google")?.issues.map((issue) => issue.code)).toContain("gtin_check_digit");
  });

  it("exits 3 for a SKU that is not in the catalog", async () => {
    const result = await omnifeed(["explain", "NO-SUCH-SKU", ...common]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("SKU NO-SUCH-SKU was not found in the catalog.");
  });
});

describe("omnifeed mapping check", () => {
  it("accepts the built-in and example mappings", async () => {
    for (const file of [
      "google.yaml",
      "meta.yaml",
      "examples/demo/amazon.yaml",
      "examples/google-category-lookup.yaml",
    ]) {
      const result = await omnifeed(["mapping", "check", join(ROOT, "channel-mappings", file)]);
      expect(result.stderr, file).toBe("");
      expect(result.code, file).toBe(0);
      expect(result.stdout).toMatch(/^ok: /);
    }
  });

  it("reports problems with file and line and exits 2", async () => {
    const file = join(freshDir("mapping"), "broken.yaml");
    writeFileSync(
      file,
      [
        "version: 1",
        "channel: google",
        "fields:",
        "  titel: { path: title }",
        "  description:",
        "    path: description",
        "    transforms: [strip_htm]",
        "",
      ].join("\n"),
    );
    const result = await omnifeed(["mapping", "check", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:4:3`);
    expect(result.stderr).toContain("titel");
    expect(result.stderr).toMatch(new RegExp(`${file.replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:7:\\d+`));
    expect(result.stderr).toContain("strip_html");

    const json = await omnifeed(["mapping", "check", file, "--json"]);
    expect(json.code).toBe(2);
    const answer = JSON.parse(json.stdout) as { ok: boolean; problems: { where: string; message: string }[] };
    expect(answer.ok).toBe(false);
    expect(answer.problems.map((problem) => problem.where)).toContain(`${file}:4:3`);
  });
});
