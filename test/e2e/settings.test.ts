import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, freshDir, omnifeed } from "./cli.js";

// Issue 6 §7: the first run of a merchant who is not the demo. Account settings (the Amazon seller
// id and marketplace) come from omnifeed.config.yaml or --set, never from a shipped mapping file.

const FIXTURES = join(ROOT, "fixtures/catalogs/settings");
const CATALOG = join(FIXTURES, "catalog.csv");
const CONFIG = join(FIXTURES, "omnifeed.config.yaml");
const SHOPIFY = join(ROOT, "fixtures/catalogs/samples/shopify-current.csv");

const dirs: string[] = [];
function outDir(prefix: string): string {
  const dir = freshDir(prefix);
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface AmazonDocument {
  header: { sellerId: string };
  messages: { sku: string; attributes: { item_name: { marketplace_id: string }[] } }[];
}

function amazonDocument(out: string): AmazonDocument {
  return JSON.parse(readFileSync(join(out, "amazon-listings-0001.json"), "utf8")) as AmazonDocument;
}

/** The example lines of `omnifeed export --help`, as a merchant would copy them. */
async function helpExamples(): Promise<string[][]> {
  const help = await omnifeed(["export", "--help"]);
  expect(help.code).toBe(0);
  const examples = help.stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("omnifeed export "));
  expect(examples.length).toBeGreaterThanOrEqual(2);
  return examples.map((line) => line.split(/\s+/).slice(1));
}

describe("the export --help examples on a merchant's own CSV, without a config file", () => {
  it("write the Google and Meta feeds, and the Amazon feed with --set amazon.seller_id", async () => {
    const examples = await helpExamples();
    const withoutAmazon = examples.find((args) => !args.join(" ").includes("amazon"));
    const withAmazon = examples.find((args) => args.includes("--set"));
    expect(withoutAmazon).toBeDefined();
    expect(withAmazon).toBeDefined();

    for (const example of [withoutAmazon ?? [], withAmazon ?? []]) {
      const out = outDir("settings-help");
      // Only the catalog and the output directory are the merchant's own; the rest is literal.
      const args = example.map((arg) => (arg === "catalog.csv" ? CATALOG : arg === "./out" ? out : arg));
      const result = await omnifeed([...args, "--quiet"]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(existsSync(join(out, "google.xml"))).toBe(true);
      expect(existsSync(join(out, "meta.csv"))).toBe(true);
      if (example === withAmazon) {
        const document = amazonDocument(out);
        expect(document.header.sellerId).toBe("A1EXAMPLE");
        expect(document.messages.map((message) => message.sku)).toEqual(["MUG-1"]);
      } else {
        expect(existsSync(join(out, "amazon-listings-0001.json"))).toBe(false);
      }
    }
  });
});

describe("a missing Amazon seller id", () => {
  it("stops an export that writes the Amazon feed, naming every way to give it, before writing anything", async () => {
    const out = join(outDir("settings-missing"), "feeds");
    const result = await omnifeed([
      "export",
      "--catalog",
      CATALOG,
      "--channel",
      "google,amazon",
      "--out",
      out,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "amazon: seller_id is not set (the amazon-json feed needs it): add channels.amazon.account.seller_id " +
        "to omnifeed.config.yaml or pass --set amazon.seller_id=…",
    );
    expect(existsSync(out)).toBe(false);
  });

  it("is not needed by validate and explain, which write no feed", async () => {
    const validate = await omnifeed(["validate", "--catalog", CATALOG, "--channel", "amazon"]);
    expect(validate.stderr).toBe("");
    expect(validate.code).toBe(3); // the catalog's bad price and the product without a product type
    const explain = await omnifeed(["explain", "MUG-1", "--catalog", CATALOG, "--channel", "amazon"]);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain("amazon: accepted → amazon-json");
  });
});

describe("account settings from omnifeed.config.yaml and --set", () => {
  it("takes the seller id from channels.amazon.account, and --set wins over it", async () => {
    const fromConfig = outDir("settings-config");
    const configured = await omnifeed([
      "export",
      "--config",
      CONFIG,
      "--channel",
      "amazon",
      "--out",
      fromConfig,
    ]);
    expect(configured.code).toBe(0);
    expect(amazonDocument(fromConfig).header.sellerId).toBe("A1CONFIGSELLER");

    const fromFlag = outDir("settings-flag");
    const flagged = await omnifeed([
      "export",
      "--config",
      CONFIG,
      "--channel",
      "amazon",
      "--set",
      "amazon.seller_id=A1FLAGSELLER",
      "--set",
      "amazon.marketplace_id=A1F83G8C2ARO7P",
      "--currency",
      "GBP",
      // A build worker compiles the mapping itself: the account must reach it too.
      "--workers",
      "1",
      "--out",
      fromFlag,
      "--quiet",
    ]);
    expect(flagged.stderr).toBe("");
    expect(flagged.code).toBe(0);
    const document = amazonDocument(fromFlag);
    expect(document.header.sellerId).toBe("A1FLAGSELLER");
    expect(document.messages[0]?.attributes.item_name[0]?.marketplace_id).toBe("A1F83G8C2ARO7P");
  });

  it("accepts --set on validate and explain too", async () => {
    const set = ["--set", "amazon.seller_id=A1FLAGSELLER"];
    const validate = await omnifeed(["validate", "--config", CONFIG, "--channel", "google", ...set]);
    expect(validate.stderr).toBe("");
    const explain = await omnifeed(["explain", "MUG-1", "--config", CONFIG, ...set]);
    expect(explain.stderr).toBe("");
    expect(explain.code).toBe(0);
  });

  it("rejects an unknown key, naming the valid ones", async () => {
    const misspelled = await omnifeed(["validate", "--catalog", CATALOG, "--set", "amazon.seler_id=A1"]);
    expect(misspelled.code).toBe(2);
    expect(misspelled.stderr).toContain(
      '--set amazon.seler_id=A1: unknown setting "seler_id" (did you mean "seller_id"?); ' +
        "valid keys: amazon.seller_id, amazon.marketplace_id",
    );

    const google = await omnifeed(["validate", "--catalog", CATALOG, "--set", "google.merchant_idd=42"]);
    expect(google.code).toBe(2);
    expect(google.stderr).toContain(
      'unknown setting "merchant_idd" (did you mean "merchant_id"?); valid keys: google.merchant_id,',
    );

    const channel = await omnifeed(["validate", "--catalog", CATALOG, "--set", "amazn.seller_id=A1"]);
    expect(channel.code).toBe(2);
    expect(channel.stderr).toContain('unknown channel "amazn" (did you mean "amazon"?)');

    const shape = await omnifeed(["validate", "--catalog", CATALOG, "--set", "seller_id=A1"]);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toContain("--set expects <channel>.<key>=<value>");
  });

  it("rejects a bad value with the --set that gave it", async () => {
    const result = await omnifeed(["validate", "--config", CONFIG, "--set", "amazon.seller_id="]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--set amazon.seller_id: ");
  });

  it("reports an unknown key in the config file's account with file, line and the valid keys", async () => {
    const result = await omnifeed([
      "validate",
      "--config",
      join(FIXTURES, "misspelled-account.config.yaml"),
      "--channel",
      "amazon",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /misspelled-account\.config\.yaml:6:7: channels\.amazon\.account: .*seler_id/,
    );
    expect(result.stderr).toContain('(did you mean "seller_id"?); valid keys: seller_id, marketplace_id');
  });

  it("says where an account key went when a merchant's mapping file still has it", async () => {
    const result = await omnifeed([
      "validate",
      "--config",
      CONFIG,
      "--channel",
      "amazon",
      "--mapping",
      `amazon=${join(FIXTURES, "old-amazon.yaml")}`,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "old-amazon.yaml:5:3: settings.seller_id is an account setting now, not a mapping setting: remove it " +
        "here and add channels.amazon.account.seller_id to omnifeed.config.yaml or pass --set amazon.seller_id=…",
    );
  });
});

describe("messages that say what to do", () => {
  it("product_type_missing says how to give a product type", async () => {
    const result = await omnifeed(["validate", "--catalog", CATALOG, "--channel", "amazon", "--json"]);
    const issues = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { kind: string; sku?: string; code?: string; message?: string });
    const missing = issues.find((issue) => issue.code === "product_type_missing");
    expect(missing?.sku).toBe("BOARD-1");
    expect(missing?.message).toContain("attr.amazon_product_type");
    expect(missing?.message).toContain("lookup");
    expect(missing?.message).toContain("rule");
  });

  it("--store-url gives a Shopify export its product links; without it, link_missing says so", async () => {
    const without = await omnifeed(["validate", "--catalog", SHOPIFY, "--channel", "google", "--json"]);
    const link = without.stdout
      .split("\n")
      .filter((line) => line.includes('"field":"link"'))
      .map((line) => JSON.parse(line) as { message: string });
    expect(link[0]?.message).toContain("store_url");
    expect(link[0]?.message).toContain("--store-url");

    const out = outDir("settings-store");
    const result = await omnifeed([
      "export",
      "--catalog",
      SHOPIFY,
      "--channel",
      "google",
      "--store-url",
      "https://trail.example.com",
      "--out",
      out,
      "--quiet",
    ]);
    expect(result.code).toBe(0);
    expect(readFileSync(join(out, "google.xml"), "utf8")).toContain(
      "<g:link>https://trail.example.com/products/wool-throw</g:link>",
    );
  });
});

describe("explain a SKU whose row was rejected", () => {
  it("says the row was rejected, where and why, and exits 3", async () => {
    const result = await omnifeed(["explain", "MUG-2", "--catalog", CATALOG, "--channel", "google"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      'SKU MUG-2: row rejected at fixtures/catalogs/settings/catalog.csv:3: price: "N/A" is not a price',
    );
    expect(result.stdout).not.toContain("not found");

    const json = await omnifeed(["explain", "MUG-2", "--catalog", CATALOG, "--channel", "google", "--json"]);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      found: false,
      rejectedRow: { line: 3, field: "price", message: '"N/A" is not a price' },
    });
  });

  it("still says not found for a SKU the catalog does not have", async () => {
    const result = await omnifeed(["explain", "NO-SUCH", "--catalog", CATALOG, "--channel", "google"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("SKU NO-SUCH was not found in the catalog.");
  });
});
