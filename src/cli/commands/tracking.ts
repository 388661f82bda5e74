import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { loadConfigFile, type ConfigFile } from "../../config/config-file.js";
import { formatRowIssue, hasErrors } from "../../core/issues.js";
import { orderKeyText } from "../../core/order.js";
import { collectShipments, type CollectResult } from "../../orders/fulfillment.js";
import { openOrderSetup } from "../../orders/order-setup.js";
import { overdueText, pushTracking, type TrackingResult } from "../../orders/tracking.js";
import { configOf, orderRedisPrefix } from "./orders.js";
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

const PushFlagsSchema = z.object({
  config: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

const PUSH_HELP = `
Reads the fulfillments the store (orders.store of the config) reported since the last run, maps
each to the marketplace order's lines by SKU and quantity (partial shipments included), and pushes
every package that has a tracking number: waiting → sent → confirmed once the marketplace shows the
order shipped, or rejected with the marketplace's reason. Transient failures and rate limits wait
and are tried again by the next run. Packages not confirmed by the order's ship-by date are
printed as overdue.

Exits 0 when everything due was sent, 5 when some packages were rejected, deferred or overdue.`;

export function registerTracking(program: Command, setExit: (code: ExitCode) => void): void {
  const tracking = program
    .command("tracking")
    .description("tracking numbers: from the store's fulfillments to the marketplaces");

  tracking
    .command("push")
    .option("--config <file>", "the config file (stores, marketplaces, orders, state)")
    .option("--json", "print the result as JSON", false)
    .description("collect the store's fulfillments and push their tracking to the marketplaces")
    .addHelpText("after", PUSH_HELP)
    .action(async (raw: unknown) => {
      const flags = parseFlags(PushFlagsSchema, raw);
      const config = await configOf(flags.config);
      const setup = await openOrderSetup(config, { redisPrefix: orderRedisPrefix(config) });
      let result: TrackingResult;
      let collected: CollectResult;
      try {
        collected = await collectShipments(setup.context);
        result = await pushTracking({
          ledger: setup.ledger,
          marketplaceOf: setup.marketplaceOf,
          clock: setup.context.clock,
        });
      } finally {
        await setup.close();
      }
      process.stdout.write(
        flags.json ? `${JSON.stringify({ collected, ...result }, null, 2)}\n` : pushText(collected, result),
      );
      const trouble = result.rejected.length + result.deferred.length + result.overdue.length;
      setExit(trouble > 0 ? EXIT.incomplete : EXIT.ok);
    });

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

function pushText(collected: CollectResult, result: TrackingResult): string {
  const recorded = collected.shipments.filter((shipment) => shipment.outcome === "waiting").length;
  const lines = collected.issues.map(formatRowIssue);
  lines.push(
    `store shipments: ${collected.shipments.length} read, ${recorded} new or updated`,
    `tracking: ${result.pushed.length} pushed, ${result.confirmed.length} confirmed, ${result.rejected.length} rejected, ${result.deferred.length} deferred, ${result.waiting} waiting`,
  );
  for (const push of result.pushed)
    lines.push(`  sent ${orderKeyText(push.key)} shipment ${push.shipmentId}`);
  for (const item of result.rejected)
    lines.push(`  rejected ${orderKeyText(item.key)} shipment ${item.shipmentId}: ${item.reason}`);
  for (const item of result.deferred)
    lines.push(
      `  deferred ${orderKeyText(item.key)} shipment ${item.shipmentId} until ${item.nextAttemptAt}: ${item.reason}`,
    );
  for (const key of result.skipped)
    lines.push(`  skipped ${orderKeyText(key)}: its marketplace is not configured`);
  for (const item of result.overdue) lines.push(`  overdue ${overdueText(item)}`);
  return `${lines.join("\n")}\n`;
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
