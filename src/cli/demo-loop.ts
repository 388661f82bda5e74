import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { loadConfigFile } from "../config/config-file.js";
import { OmnifeedError } from "../core/errors.js";
import { OrderKeySchema, orderKeyText, type OrderKey } from "../core/order.js";
import type { MountedAmazonOrders } from "../dev/simulators/run-simulators.js";
import { startSimulators } from "../dev/simulators/run-simulators.js";
import type { GoogleSimulator } from "../dev/simulators/google.js";
import type { MetaSimulator } from "../dev/simulators/meta.js";
import type { AmazonSimulator } from "../dev/simulators/amazon.js";
import type { RunningSimulator } from "../dev/simulators/simulator.js";
import { collectShipments } from "../orders/fulfillment.js";
import type { ImportResult } from "../orders/import.js";
import { openOrderSetup, type OrderSetup } from "../orders/order-setup.js";
import { pullOrders, type PullResult } from "../orders/pull.js";
import { pushTracking } from "../orders/tracking.js";
import { runExport } from "../pipeline/export.js";
import { prepareRun } from "../pipeline/plan.js";
import { openPublishEnvironment } from "../pipeline/publish-environment.js";
import { runPublish } from "../pipeline/publish.js";
import {
  ExportFlagsSchema,
  PublishFlagsSchema,
  resolveExportRun,
  resolvePublishRun,
} from "../pipeline/run-request.js";
import { propagateSale } from "../pipeline/stock-publish.js";
import { fileStoreFor } from "../stores/registry.js";
import { writeDemoSimulatorConfig } from "./simulator-config.js";
import { display } from "./summary-text.js";

/**
 * `omnifeed demo` (issue 10 §8): the whole mission on one machine with no Redis and no accounts.
 * The bundled simulators run in this process on free ports; a config written into the demo
 * folder reaches them, with the file store as the merchant's store. Then, step by step: export
 * the demo catalog to feeds, publish it to Google, Meta and Amazon, place an order on the Amazon
 * simulator and import it into the file store exactly once, propagate the sale's stock to Google
 * and Meta, and push the merchant's tracking number back to Amazon. Each step reports what it did
 * through `onStep` as soon as it is done.
 *
 * It lives in cli because it is the one part that may reach the simulators (dev), the forward
 * pipeline and the order pipeline together (adr/0010); each step calls the same use case the
 * matching command calls.
 */

export const DEMO_CHANNELS = ["google", "meta", "amazon"] as const;
/** A file in the demo folder saying the demo made it, so a run never clears someone else's folder. */
export const DEMO_MARKER = ".omnifeed-demo";
export const DEMO_CONFIG_FILE = "omnifeed.config.yaml";
export const DEMO_TRACKING_FILE = "shipped-today.csv";

export interface DemoStep {
  /** 1…7, as printed. */
  number: number;
  title: string;
  /** What happened: counts, ids, files (paths relative to the working folder). */
  lines: string[];
}

export interface DemoOptions {
  /** The demo folder: config, feeds, state, ledger and the file store (default ./out/demo). */
  dir: string;
  /** Address the simulators listen on. */
  host: string;
  /** The SKU ordered; default the first one of the catalog all three channels hold. */
  sku?: string | undefined;
  /** Units ordered. */
  quantity: number;
  carrier: string;
  trackingNumber: string;
  onStep: (step: DemoStep) => void;
}

export interface DemoResult {
  dir: string;
  sku: string;
  order: string;
  storeOrderId: string;
  outboxFiles: number;
  shipped: boolean;
}

interface DemoSimulators {
  all: RunningSimulator[];
  google: GoogleSimulator;
  meta: MetaSimulator;
  amazon: AmazonSimulator;
  orders: MountedAmazonOrders;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const dir = resolve(options.dir);
  await prepareDemoDir(dir);
  const started = await startSimulators({
    host: options.host,
    freePorts: true,
    only: DEMO_CHANNELS,
    processingDelayMs: 0,
    amazonOrdersSettleMs: 0,
  });
  try {
    return await runSteps(dir, simulatorsOf(started), options);
  } finally {
    await Promise.all(started.map((simulator) => simulator.close()));
  }
}

/**
 * The simulators hold what they were sent in memory only, so every run starts the demo folder
 * afresh (the state and ledger of an earlier run would say the channels hold items they do not).
 * A folder that is not empty and was not made by the demo is refused, never cleared.
 */
async function prepareDemoDir(dir: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOTDIR")
      throw new OmnifeedError("config", "the demo folder is a file", { where: display(dir) });
    if (code !== "ENOENT") throw error;
  }
  if (entries.length > 0 && !entries.includes(DEMO_MARKER)) {
    throw new OmnifeedError(
      "config",
      `the demo folder holds files the demo did not write (no ${DEMO_MARKER}); pick another with --dir`,
      { where: display(dir) },
    );
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, DEMO_MARKER),
    "Written by `omnifeed demo`: each run clears this folder and writes it again.\n",
  );
}

function simulatorsOf(all: RunningSimulator[]): DemoSimulators {
  const find = <T extends RunningSimulator>(channel: string): T => {
    const found = all.find((simulator) => simulator.channel === channel);
    if (!found) throw new OmnifeedError("config", `the ${channel} simulator did not start`);
    return found as T;
  };
  return {
    all,
    google: find<GoogleSimulator>("google"),
    meta: find<MetaSimulator>("meta"),
    amazon: find<AmazonSimulator>("amazon"),
    orders: find<MountedAmazonOrders>("amazon-orders"),
  };
}

async function runSteps(dir: string, sims: DemoSimulators, options: DemoOptions): Promise<DemoResult> {
  const step = (number: number, title: string, lines: string[]) => options.onStep({ number, title, lines });

  // 1. The simulators and the config that reaches them.
  const configFile = await writeDemoSimulatorConfig(join(dir, DEMO_CONFIG_FILE), sims.all, {
    heading: "Written by `omnifeed demo`: the demo catalog, the in-process simulators, the file store.",
    stores: { file: { dir: "store" } },
    // The simulators run without quotas; the channels' published ones would make step 3 take minutes.
    accounts: { rate_limit_per_second: 500, rate_limit_burst: 50 },
    // The simulator shows an order the moment it is placed; Amazon itself wants 2 minutes.
    marketplaces: { amazon: { settle_minutes: 0 } },
  });
  step(1, "simulators started in this process, config written", [
    ...sims.all.map((simulator) => `${simulator.channel.padEnd(13)} ${simulator.url}`),
    `config ${display(configFile)} (secrets in files beside it; the store is the file store in ${display(join(dir, "store"))})`,
  ]);

  // 2. Export: the same use case as `omnifeed export`.
  const feedsDir = join(dir, "feeds");
  const exportRun = await resolveExportRun(
    ExportFlagsSchema.parse({ config: configFile, out: feedsDir, channel: DEMO_CHANNELS.join(",") }),
  );
  const exported = await runExport(await prepareRun(exportRun.catalog, exportRun.channels, exportRun.feeds), {
    outDir: exportRun.outDir,
    gzip: exportRun.gzip,
    maxShrink: exportRun.maxShrink,
    force: exportRun.force,
    allowEmpty: exportRun.allowEmpty,
    strict: exportRun.strict,
    workers: exportRun.workers,
    batchSize: exportRun.batchSize,
  });
  const { catalog } = exported.summary;
  step(2, "exported the demo catalog to feeds", [
    `catalog ${display(catalog.file)}: ${catalog.variants} variants, ${catalog.rowErrors} rows refused`,
    ...exported.summary.channels.map(
      (channel) =>
        `${channel.channel}: ${channel.accepted} items written, ${channel.rejected} rejected, ${channel.filtered} filtered out`,
    ),
    ...exported.summary.feeds.map(
      (feed) => `${feed.feedId}: ${feed.files.map(display).join(", ")} (${feed.entries} ${feed.unit})`,
    ),
    `every issue in ${display(exported.issuesFile)}`,
  ]);

  // 3. Publish: the same use case as `omnifeed publish`.
  const publishRun = await resolvePublishRun(
    PublishFlagsSchema.parse({ config: configFile, channel: DEMO_CHANNELS.join(",") }),
  );
  const run = await prepareRun(publishRun.catalog, publishRun.channels);
  const environment = await openPublishEnvironment(publishRun.state);
  let setup: OrderSetup | undefined;
  try {
    const published = await runPublish(run, {
      store: environment.store,
      workspace: publishRun.state.workspace,
      dryRun: false,
      force: false,
      maxShrink: publishRun.maxShrink,
      limiterFor: environment.limiterFor,
      stockHolds: environment.stockHolds,
      workers: publishRun.workers,
      batchSize: publishRun.batchSize,
    });
    step(3, "published to the channels' APIs (the simulators)", [
      ...published.channels.map((channel) => {
        const create = channel.execution?.outcomes.create;
        return `${channel.channel} ${channel.account}: ${create?.accepted ?? 0} created, ${create?.rejected ?? 0} refused, ${create?.failed ?? 0} failed`;
      }),
      `held now: google ${sims.google.items().size}, meta ${sims.meta.items().size}, amazon ${sims.amazon.items().size} items`,
      `state ${environment.describe}`,
    ]);

    // 4. An order on Amazon, pulled twice, imported once.
    const sku = options.sku ?? firstSkuHeldByAll(sims);
    const unitPriceMinor = googlePriceMinor(sims.google, sku);
    const placed = sims.orders.placeOrder({
      lines: [{ sku, quantity: options.quantity, unitPriceMinor }],
    });
    const config = await loadConfigFile(configFile);
    setup = await openOrderSetup(config, { redisPrefix: "demo:" });
    const amazon = setup.marketplace("amazon");
    const key = OrderKeySchema.parse({
      marketplace: "amazon",
      account: amazon.account,
      orderId: placed.orderId,
    });
    const first = await pullOrders(amazon, setup.context);
    const imported = first.imports.find((entry) => orderKeyText(entry.key) === orderKeyText(key));
    if (imported?.outcome !== "imported" || !imported.storeOrderId) {
      throw new OmnifeedError(
        "rejected",
        `the order was not imported: ${imported?.outcome ?? "not pulled"}${imported?.reason ? ` (${imported.reason})` : ""}`,
        { where: orderKeyText(key) },
      );
    }
    const second = await pullOrders(amazon, setup.context);
    const store = fileStoreFor(config);
    const outbox = store.layout.outbox;
    const outboxFiles = (await readdir(outbox)).filter((name) => name.endsWith(".json"));
    step(4, `order placed on the Amazon simulator, pulled and imported into the file store`, [
      `placed ${orderKeyText(key)}: ${options.quantity} × ${sku} at ${formatMinor(unitPriceMinor)} USD`,
      `pull 1: ${pullLine(first)}`,
      `pull 2: ${pullLine(second)}`,
      `store order ${imported.storeOrderId}: ${display(join(outbox, `${imported.storeOrderId}.json`))}`,
      `outbox ${display(outbox)}: ${outboxFiles.length} order file${outboxFiles.length === 1 ? "" : "s"} (exactly once); rows in ${display(store.layout.ordersCsv)}`,
    ]);

    // 5. The sale's stock to the other channels, read back from them.
    const before = stockOn(sims, sku);
    const propagated = await propagateSale(
      run,
      { sold: imported.sold, orderKey: orderKeyText(key), fromChannel: "amazon" },
      {
        store: environment.store,
        stockHolds: environment.stockHolds,
        workspace: publishRun.state.workspace,
        limiterFor: environment.limiterFor,
      },
    );
    const after = stockOn(sims, sku);
    step(5, "the sale's stock propagated to Google and Meta (Amazon took it off itself)", [
      ...propagated.channels.map(
        (channel) =>
          `${channel.channel} ${channel.account}: ${channel.execution.outcomes.update.accepted} inventory update${channel.execution.outcomes.update.accepted === 1 ? "" : "s"} sent, ${channel.unchanged} already in step`,
      ),
      `google ${sku}: availability ${before.google} → ${after.google}`,
      `meta ${sku}: quantity ${before.metaQuantity} → ${after.metaQuantity}, availability ${before.metaAvailability} → ${after.metaAvailability}`,
      `held until the catalog shows the sale: ${Object.entries(propagated.held)
        .map(([held, units]) => `${held} ${units}`)
        .join(", ")}`,
    ]);

    // 6. The merchant ships: a tracking CSV into the store's inbox, pushed to Amazon.
    const trackingFile = join(dir, DEMO_TRACKING_FILE);
    await writeFile(trackingFile, trackingCsv(key, imported, options));
    const accepted = await store.importTracking(trackingFile, { clock: () => new Date() });
    if (accepted.accepted === 0 || accepted.inboxFile === undefined) {
      throw new OmnifeedError(
        "rejected",
        `the tracking file was refused: ${accepted.issues.map((issue) => issue.message).join("; ")}`,
        { where: display(trackingFile) },
      );
    }
    const collected = await collectShipments(setup.context);
    const pushed = await pushTracking({
      ledger: setup.ledger,
      marketplaceOf: setup.marketplaceOf,
      clock: setup.context.clock,
    });
    const order = sims.orders.order(placed.orderId);
    const packages = sims.orders.shipments(placed.orderId);
    step(6, "tracking written by the merchant, pushed to Amazon (confirmShipment)", [
      `the merchant wrote ${display(trackingFile)}: ${options.carrier} ${options.trackingNumber}, ${options.quantity} × ${sku}`,
      `inbox ${display(accepted.inboxFile)}: ${accepted.accepted} row accepted`,
      `store shipments read: ${collected.shipments.length}`,
      `tracking: ${pushed.pushed.length} pushed, ${pushed.confirmed.length} confirmed, ${pushed.rejected.length} rejected, ${pushed.deferred.length} deferred`,
      ...packages.map(
        (pack) =>
          `Amazon package ${pack.packageReferenceId}: carrier ${pack.carrierCode}, tracking ${pack.trackingNumber}, ${pack.items.map((item) => `${item.quantity} of item ${item.orderItemId}`).join(", ")}`,
      ),
      `Amazon order ${placed.orderId} is ${order.status}`,
    ]);

    const result: DemoResult = {
      dir,
      sku,
      order: orderKeyText(key),
      storeOrderId: imported.storeOrderId,
      outboxFiles: outboxFiles.length,
      shipped: order.status === "SHIPPED",
    };
    step(7, "done", [
      `everything is in ${display(dir)}: ${DEMO_CONFIG_FILE}, feeds/, store/outbox/, store/orders.csv, store/inbox/, ${DEMO_TRACKING_FILE}`,
      "the simulators stop now (they keep what they hold in memory only)",
    ]);
    return result;
  } finally {
    await setup?.close();
    await environment.close();
  }
}

/** The first SKU, in catalog order as Google holds them, that Meta and Amazon hold too. */
function firstSkuHeldByAll(sims: DemoSimulators): string {
  const meta = sims.meta.items();
  const amazon = sims.amazon.items();
  for (const [sku, product] of sims.google.items()) {
    if (meta.has(sku) && amazon.has(sku) && product.productAttributes.availability === "IN_STOCK") return sku;
  }
  throw new OmnifeedError("rejected", "no SKU of the demo catalog is held by Google, Meta and Amazon");
}

function googlePriceMinor(google: GoogleSimulator, sku: string): number {
  const product = google.items().get(sku);
  if (!product) throw new OmnifeedError("config", `Google does not hold ${sku}: pick another --sku`);
  const price = product.productAttributes.price as { amountMicros?: unknown } | undefined;
  const micros = Number(price?.amountMicros);
  if (!Number.isFinite(micros)) throw new OmnifeedError("rejected", `Google holds no price for ${sku}`);
  return Math.round(micros / 10_000);
}

function stockOn(sims: DemoSimulators, sku: string) {
  const google = sims.google.items().get(sku);
  const meta = sims.meta.items().get(sku);
  return {
    google: shown(google?.productAttributes.availability),
    metaQuantity: shown(meta?.fields.quantity_to_sell_on_facebook),
    metaAvailability: shown(meta?.fields.availability),
  };
}

/** A field as the simulator holds it: "not held" when the channel has no such item or field. */
function shown(value: unknown): string {
  if (value === undefined || value === null) return "not held";
  return typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
}

function pullLine(result: PullResult): string {
  const count = (outcome: ImportResult["outcome"]) =>
    result.imports.filter((entry) => entry.outcome === outcome).length;
  return `${result.orders} order${result.orders === 1 ? "" : "s"} seen, ${result.newOrders} new, ${count("imported")} imported, ${count("unmatched") + count("failed")} held`;
}

function trackingCsv(key: OrderKey, imported: ImportResult, options: DemoOptions): string {
  const rows = imported.sold.map((line) =>
    [
      key.marketplace,
      key.account,
      key.orderId,
      line.sku,
      line.quantity,
      options.carrier,
      options.trackingNumber,
    ].join(","),
  );
  return `marketplace,account,order_id,sku,quantity,carrier,tracking_number\n${rows.join("\n")}\n`;
}

function formatMinor(minor: number): string {
  return (minor / 100).toFixed(2);
}
