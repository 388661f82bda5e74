import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { loadConfigFile, type ConfigFile } from "../../config/config-file.js";
import { formatRowIssue, hasErrors } from "../../core/issues.js";
import { fileStoreFor } from "../../stores/registry.js";
import type { TrackingImport } from "../../stores/file/inbox.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { parseFlags } from "../run-options.js";
import { display } from "../summary-text.js";

const ImportFlagsSchema = z.object({
  config: z.string().min(1).optional(),
  storeDir: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

const COLUMNS_HELP = `
The file's header names its columns (any case, any order; other columns are ignored):
  marketplace      required  amazon, ebay, …: the marketplace the order came from
  account          required  the seller account on that marketplace
  order_id         required  the marketplace's order id
  sku              required  a SKU of one of the order's lines
  quantity         required  units of that SKU in this package (a whole number above 0)
  carrier          required  as you name it (UPS, DHL, Royal Mail)
  tracking_number  required  rows of one order with the same carrier and number are one package
  tracking_url     optional  http(s) link to the carrier's tracking page
  shipped_at       optional  ISO 8601 date or date-time (2026-12-01T14:30:00Z)

Each row is checked against the file store's outbox: the order must have been imported and not
cancelled, the SKU must be one of its lines, and the file must not ship more than was ordered.
Good rows are written, whole or not at all, into <store>/inbox/; each refused row is printed as
file:line: field: reason — fix those rows and import them again.

Exits 0 when every row was accepted, 3 when some rows were refused, 2 when the file cannot be read.
The store's folder: --store-dir, else stores.file.dir of --config, else ./store.`;

export function registerTracking(program: Command, setExit: (code: ExitCode) => void): void {
  const tracking = program
    .command("tracking")
    .description("hand the file store the tracking numbers of shipped orders");

  tracking
    .command("import")
    .argument("<file.csv>", "a tracking CSV: one row per order line shipped")
    .option("--config <file>", "the config file (for stores.file.dir)")
    .option("--store-dir <dir>", "the file store's folder (default: stores.file.dir, else ./store)")
    .option("--json", "print the result as JSON", false)
    .description("check a tracking CSV and put its good rows into the file store's inbox")
    .addHelpText("after", COLUMNS_HELP)
    .action(async (file: string, raw: unknown) => {
      const flags = parseFlags(ImportFlagsSchema, raw);
      const config: ConfigFile = flags.config ? await loadConfigFile(flags.config) : {};
      const dir = flags.storeDir ? resolve(flags.storeDir) : config.stores?.file?.dir;
      const store = fileStoreFor({
        ...config,
        stores: { ...config.stores, file: { ...config.stores?.file, dir } },
      });
      const result = await store.importTracking(resolve(file), { clock: () => new Date() });
      const shown = {
        ...result,
        issues: result.issues.map((issue) => ({ ...issue, file: display(issue.file) })),
      };
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(jsonOf(shown), null, 2)}\n`
          : importText(display(resolve(file)), shown),
      );
      setExit(hasErrors(result.issues) ? EXIT.inputProblems : EXIT.ok);
    });
}

function jsonOf(result: TrackingImport): object {
  return {
    ...result,
    refused: result.read - result.accepted,
    ...(result.inboxFile !== undefined && { inboxFile: display(result.inboxFile) }),
  };
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;

/** Problems first, compiler style, then what was accepted and where it went. */
export function importText(file: string, result: TrackingImport): string {
  const lines = result.issues.map(formatRowIssue);
  const refused = result.read - result.accepted;
  const accepted = `${file}: accepted ${result.accepted} of ${plural(result.read, "row")} (${plural(result.orders, "order")}, ${plural(result.shipments, "shipment")})`;
  lines.push(
    result.inboxFile === undefined
      ? `${accepted}; nothing written`
      : `${accepted} into ${display(result.inboxFile)}`,
  );
  if (refused > 0) lines.push(`refused ${plural(refused, "row")}: fix them and import them again`);
  return `${lines.join("\n")}\n`;
}
