import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { loadConfigFile, type ConfigFile } from "../../config/config-file.js";
import { redisPrefixFromEnv } from "../../config/env.js";
import { OmnifeedError } from "../../core/errors.js";
import { OrderKeySchema, orderKeyText, type OrderKey } from "../../core/order.js";
import { importOrder } from "../../orders/import.js";
import { ORDER_STATES, type OrderRecord, type OrderState } from "../../orders/ledger.js";
import { collectOrderStatus, formatOrderStatus } from "../../orders/order-status.js";
import { isMarketplaceId, openOrderSetup, type OrderSetup } from "../../orders/order-setup.js";
import { pullOrders, type PullResult } from "../../orders/pull.js";
import { MARKETPLACE_IDS } from "../../orders/order-setup.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { parseFlags } from "../run-options.js";

/**
 * `omnifeed orders …`: thin — parse the flags, open the config's order pipeline, call one use
 * case of src/orders, print, exit. The ledger is the embedded file unless `state.backend` is redis.
 */

const CommonFlagsSchema = z.object({
  config: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

const PullFlagsSchema = CommonFlagsSchema.extend({
  marketplace: z.enum(MARKETPLACE_IDS).optional(),
});

const ListFlagsSchema = CommonFlagsSchema.extend({
  status: z
    .string()
    .optional()
    .transform((text, context) => {
      if (text === undefined) return undefined;
      const states = text.split(",").map((state) => state.trim());
      const wrong = states.filter((state) => !(ORDER_STATES as readonly string[]).includes(state));
      if (wrong.length > 0) {
        context.addIssue({
          code: "custom",
          message: `unknown status ${wrong.join(", ")} (one of ${ORDER_STATES.join(", ")})`,
        });
        return z.NEVER;
      }
      return states as OrderState[];
    }),
});

const LEDGER_HELP = `
The order ledger: with state.backend embedded (the default), the file orders.ledger_file of the
config, else omnifeed-orders.sqlite beside state.file, else in output.dir, else in the working
folder; with state.backend redis, in Redis at REDIS_URL (the workers' ledger). Orders go into the
store orders.store of the config (default: the file store). See docs/orders.md.`;

export async function configOf(path: string | undefined): Promise<ConfigFile> {
  return path ? loadConfigFile(resolve(path)) : {};
}

/** The installation's Redis prefix, as the workers compute it (OMNIFEED_REDIS_PREFIX + workspace). */
export function orderRedisPrefix(config: ConfigFile): string {
  return `${redisPrefixFromEnv()}${config.state?.workspace ?? "default"}:`;
}

async function withSetup<T>(config: ConfigFile, task: (setup: OrderSetup) => Promise<T>): Promise<T> {
  const setup = await openOrderSetup(config, { redisPrefix: orderRedisPrefix(config) });
  try {
    return await task(setup);
  } finally {
    await setup.close();
  }
}

export function registerOrders(program: Command, setExit: (code: ExitCode) => void): void {
  const orders = program
    .command("orders")
    .description("marketplace orders into the store exactly once: pull, list, retry");

  orders
    .command("pull")
    .description("pull new and changed orders, import them into the store, carry cancellations over")
    .option("--config <file>", "the config file (stores, marketplaces, orders, state)")
    .option(
      "--marketplace <id>",
      `one marketplace only (${MARKETPLACE_IDS.join(", ")}); default all configured`,
    )
    .option("--json", "print the result as JSON", false)
    .addHelpText(
      "after",
      `${LEDGER_HELP}

Orders whose SKU the store does not sell are held as unmatched (with the reason) and tried again
by every pull, so mapping the SKU (orders.sku_map) or fixing the catalog is enough.
Exits 0 when every order was imported or held with a reason, 5 when some failed transiently (the
next pull tries them again), 2 on a config problem (a marketplace or store not configured).`,
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(PullFlagsSchema, raw);
      const config = await configOf(flags.config);
      const results = await withSetup(config, async (setup) => {
        const ids = flags.marketplace ? [flags.marketplace] : configuredMarketplaces(setup);
        const pulled: PullResult[] = [];
        for (const id of ids) pulled.push(await pullOrders(setup.marketplace(id), setup.context));
        return pulled;
      });
      process.stdout.write(
        flags.json ? `${JSON.stringify(results, null, 2)}\n` : `${results.map(pullText).join("\n")}\n`,
      );
      setExit(results.some((result) => result.errors.length > 0) ? EXIT.incomplete : EXIT.ok);
    });

  orders
    .command("list")
    .description("the orders of the ledger with their state, store order and shipments")
    .option("--config <file>", "the config file")
    .option("--status <states>", `only these states, comma-separated (${ORDER_STATES.join(", ")})`)
    .option("--json", "print one JSON object per order, one a line", false)
    .addHelpText("after", LEDGER_HELP)
    .action(async (raw: unknown) => {
      const flags = parseFlags(ListFlagsSchema, raw);
      const config = await configOf(flags.config);
      await withSetup(config, async (setup) => {
        // Page by page, never the whole ledger in memory.
        for await (const page of setup.ledger.list(flags.status ? { states: flags.status } : {})) {
          for (const record of page)
            process.stdout.write(`${flags.json ? JSON.stringify(listJson(record)) : listText(record)}\n`);
        }
        if (flags.json) return;
        const status = await collectOrderStatus(setup.ledger, setup.context.clock());
        process.stdout.write(`${formatOrderStatus(status)}\n`);
      });
      setExit(EXIT.ok);
    });

  orders
    .command("retry")
    .argument("<order>", "marketplace/account/orderId, as `orders list` prints it")
    .description("import one held, failed or interrupted order again (never a second store order)")
    .option("--config <file>", "the config file")
    .option("--json", "print the result as JSON", false)
    .addHelpText(
      "after",
      `${LEDGER_HELP}\n\nExits 0 when the order is in the store, 3 when it is still held (the reason is printed).`,
    )
    .action(async (text: string, raw: unknown) => {
      const flags = parseFlags(CommonFlagsSchema, raw);
      const key = parseOrderKey(text);
      const config = await configOf(flags.config);
      const result = await withSetup(config, (setup) => importOrder(key, setup.context));
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(result, null, 2)}\n`
          : `${orderKeyText(key)}: ${result.outcome}${result.storeOrderId ? ` as store order ${result.storeOrderId}` : ""}${result.reason ? ` — ${result.reason}` : ""}\n`,
      );
      setExit(
        result.outcome === "imported" || result.outcome === "already_imported" ? EXIT.ok : EXIT.inputProblems,
      );
    });
}

/** Every marketplace of the registry this config can build (an explicit --marketplace skips this). */
function configuredMarketplaces(setup: OrderSetup): (typeof MARKETPLACE_IDS)[number][] {
  const ids = MARKETPLACE_IDS.filter((id) => {
    try {
      setup.marketplace(id);
      return true;
    } catch {
      return false;
    }
  });
  if (ids.length === 0) {
    // Say why, with the first marketplace's own error.
    setup.marketplace(MARKETPLACE_IDS[0]);
  }
  return ids;
}

/** `amazon/A1B2/112-1234567-1234567` → the key; a clear `config` error otherwise. */
export function parseOrderKey(text: string): OrderKey {
  const [marketplace, account, ...rest] = text.split("/");
  const orderId = rest.join("/");
  const parsed = OrderKeySchema.safeParse({ marketplace, account, orderId });
  if (!parsed.success || !isMarketplaceId(parsed.data.marketplace)) {
    throw new OmnifeedError(
      "config",
      `expected marketplace/account/orderId such as amazon/A1B2C3/112-1234567-1234567 (marketplace one of ${MARKETPLACE_IDS.join(", ")})`,
      { where: text },
    );
  }
  return parsed.data;
}

function pullText(result: PullResult): string {
  const count = (outcome: string) => result.imports.filter((entry) => entry.outcome === outcome).length;
  const lines = [
    `${result.marketplace}/${result.account}: ${result.orders} orders in ${result.pages} pages (${result.newOrders} new); imported ${count("imported")}, unmatched ${count("unmatched")}, failed ${count("failed")}, cancelled ${result.cancels.length}`,
  ];
  for (const entry of result.imports)
    if (entry.outcome === "unmatched" || entry.outcome === "failed")
      lines.push(`  ${entry.outcome} ${orderKeyText(entry.key)}: ${entry.reason ?? ""}`);
  for (const entry of result.cancels)
    lines.push(`  cancelled ${orderKeyText(entry.key)}${entry.note ? `: ${entry.note}` : ""}`);
  for (const problem of result.problems)
    lines.push(
      `  unreadable ${problem.orderId}${problem.field ? ` ${problem.field}` : ""}: ${problem.message}`,
    );
  for (const error of result.errors) lines.push(`  will retry ${error.message}`);
  return lines.join("\n");
}

function listJson(record: OrderRecord): object {
  // The buyer's name and address stay in the ledger; listings show what an operator acts on.
  return {
    order: orderKeyText(record.key),
    state: record.state,
    ...(record.reason !== undefined && { reason: record.reason }),
    ...(record.storeOrderId !== undefined && { store: record.store, storeOrderId: record.storeOrderId }),
    receivedAt: record.receivedAt,
    ...(record.order.shipBy !== undefined && { shipBy: record.order.shipBy }),
    lines:
      record.lines.length > 0
        ? record.lines
        : record.order.lines.map(({ lineId, sku, quantity }) => ({ lineId, sku, quantity })),
    sold: record.sold,
    shipments: record.shipments.map((shipment) => ({
      shipmentId: shipment.shipmentId,
      state: shipment.state,
      lines: shipment.lines,
      ...(shipment.trackingNumber !== undefined && { trackingNumber: shipment.trackingNumber }),
      ...(shipment.lastError !== undefined && { lastError: shipment.lastError }),
    })),
    ...(record.cancellation !== undefined && { cancellation: record.cancellation }),
  };
}

function listText(record: OrderRecord): string {
  const store = record.storeOrderId
    ? ` → ${record.store} ${record.storeOrderName ?? record.storeOrderId}`
    : "";
  const reason = record.reason ? ` (${record.reason})` : "";
  const shipments = record.shipments.map((shipment) => `${shipment.shipmentId}:${shipment.state}`).join(" ");
  return `${orderKeyText(record.key)}  ${record.state}${store}${reason}${shipments ? `  shipments ${shipments}` : ""}`;
}
