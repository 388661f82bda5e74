import type { Command } from "commander";
import { FILE_FORMATS } from "../sources/source.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Options every catalog-reading command shares, with the same names everywhere. */
export function withCatalogOptions(command: Command): Command {
  return command
    .option("--config <file>", "omnifeed.config.yaml with catalog, channels, mappings and output")
    .option(
      "--catalog <file|store>",
      "catalog file (CSV/TSV, Shopify or WooCommerce CSV, JSON, JSONL, Google XML; .gz ok), or " +
        "shopify / woocommerce to read the store of stores.<name> in --config (a file of that name: ./shopify)",
    )
    .option("--format <format>", `catalog format instead of detecting it: ${FILE_FORMATS.join(", ")}`)
    .option(
      "--encoding <name>",
      "text encoding of the catalog, e.g. windows-1252, latin1, utf-16le (default UTF-8; UTF-16 with a BOM is recognised)",
    )
    .option("--channel <list>", "channels, comma separated: google,meta,amazon")
    .option(
      "--mapping <channel=file>",
      "a mapping file for a channel (repeatable), e.g. google=my-google.yaml",
      collect,
      [],
    )
    .option(
      "--set <channel.key=value>",
      "an account setting (repeatable), e.g. amazon.seller_id=A1EXAMPLE; wins over the config file",
      collect,
      [],
    )
    .option("--currency <code>", "currency of prices that name none (default USD)")
    .option("--store-url <url>", "the shop's address, for product links of Shopify and WooCommerce exports")
    .option(
      "--workers <n|auto>",
      "build threads: 0 builds on the main thread; auto decides from the catalog size",
    )
    .option("--batch-size <n>", "records per batch (default 100)")
    .option(
      "--from-start",
      "store catalogs: read the store from the start, not from the checkpoint of an interrupted read",
    )
    .option("--json", "print the result as JSON on stdout", false)
    .option("--quiet", "no progress display", false);
}
