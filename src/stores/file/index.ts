import { access, constants, mkdir, readdir } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { isOmnifeedError, OmnifeedError } from "../../core/errors.js";
import { orderKeyText, type Order, type OrderKey } from "../../core/order.js";
import type { Checkpoint, SourceCheck } from "../../sources/source.js";
import { defineStore, type Store, type StoreContext, type StoreOrderRef } from "../store.js";
import { appendSynced, createExclusive, createMark, replaceAtomically } from "./atomic-files.js";
import { catalogPages, openCatalog, unsoldSkus, type OpenedCatalog } from "./catalog-pages.js";
import { FileStoreConfigSchema, type FileStoreConfigInput } from "./config.js";
import { importTracking, inboxSince, type TrackingImport } from "./inbox.js";
import { isStoreOrderId, layoutOf, orderFile, storeOrderIdFor, type FileStoreLayout } from "./layout.js";
import { cancelledRow, createdRows, ORDERS_CSV_HEADER } from "./orders-csv.js";
import { outboxOrder, outboxText, readOutboxOrder } from "./outbox.js";

/**
 * The file store: the embedded default for merchants without a supported platform (docs/stores-file.md).
 * The catalog comes from the merchant's catalog file; each imported order becomes a JSON file in
 * `outbox/` (written whole, created once per order key by an exclusive link) and rows in
 * `orders.csv`; shipments come from tracking CSV files in `inbox/`.
 */
export interface FileStore extends Store {
  readonly id: "file";
  readonly layout: FileStoreLayout;
  /** Checks a tracking file and writes its good rows into the inbox (`omnifeed tracking import`). */
  importTracking(file: string, context: StoreContext): Promise<TrackingImport>;
}

export function createFileStore(input: FileStoreConfigInput): FileStore {
  const config = FileStoreConfigSchema.parse(input);
  const layout = layoutOf(resolve(config.dir));
  const catalogSettings = config.catalog;

  async function catalog(): Promise<OpenedCatalog> {
    if (!catalogSettings) {
      throw new OmnifeedError(
        "config",
        "the file store has no catalog file (set catalog.file in the config)",
        {
          where: layout.dir,
        },
      );
    }
    return openCatalog(catalogSettings);
  }

  /** Confirmed SKUs of the catalog as it was (size, time); a changed file starts a new list. */
  let sold: { stamp: string; skus: Set<string> } | undefined;

  async function refuseUnsold(order: Order, context: StoreContext): Promise<void> {
    const opened = await catalog();
    const stamp = `${opened.file}\n${opened.size}\n${opened.mtimeMs}`;
    if (sold?.stamp !== stamp) sold = { stamp, skus: new Set() };
    const known = sold.skus;
    const wanted = new Set(order.lines.map((line) => String(line.sku)).filter((sku) => !known.has(sku)));
    if (wanted.size === 0) return;
    const unsold = await unsoldSkus(opened, wanted, { batchSize: config.batchSize, signal: context.signal });
    for (const sku of wanted) if (!unsold.includes(sku)) known.add(sku);
    if (unsold.length > 0) {
      throw new OmnifeedError(
        "rejected",
        `the catalog ${basename(opened.file)} does not sell SKU ${unsold.join(", ")}; the order was not created`,
        { where: orderKeyText(order) },
      );
    }
  }

  async function ensureOrdersCsv(): Promise<void> {
    // The header arrives with the file itself (an exclusive link), so no row can precede it.
    await createExclusive(layout.ordersCsv, ORDERS_CSV_HEADER);
  }

  async function findOrder(key: OrderKey): Promise<StoreOrderRef | undefined> {
    const storeOrderId = storeOrderIdFor(key);
    const found = await readOutboxOrder(layout, storeOrderId);
    return found && { storeOrderId, outcome: "found" };
  }

  return defineStore({
    id: "file",
    layout,

    async check(): Promise<SourceCheck> {
      const target = `file store ${layout.dir}`;
      try {
        await mkdir(layout.dir, { recursive: true });
        await access(layout.dir, constants.W_OK);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        return { ok: false, target, detail: `the folder cannot be written (${String(code)})` };
      }
      let catalogText = "no catalog file (orders cannot be checked)";
      let ok = catalogSettings !== undefined;
      try {
        const opened = await catalog();
        catalogText = `catalog ${opened.file} (${opened.source.format}, ${opened.size} bytes)`;
      } catch (error) {
        ok = false;
        if (catalogSettings) catalogText = isOmnifeedError(error) ? error.message : String(error);
      }
      const orders = (await listNames(layout.outbox)).filter((name) => name.endsWith(".json")).length;
      const waiting = (await listNames(layout.inbox)).filter((name) => /\.csv$/i.test(name)).length;
      return {
        ok,
        target,
        detail: `${catalogText}; ${orders} order${orders === 1 ? "" : "s"} in the outbox; ${waiting} tracking file${waiting === 1 ? "" : "s"} in the inbox`,
      };
    },

    async *readCatalog(context: StoreContext, from?: Checkpoint) {
      yield* catalogPages(await catalog(), { batchSize: config.batchSize, signal: context.signal }, from);
    },

    async createOrder(order: Order, context: StoreContext): Promise<StoreOrderRef> {
      const storeOrderId = storeOrderIdFor(order);
      // The store-side lookup first: an order already in the outbox is found, whatever the catalog says now.
      if (await readOutboxOrder(layout, storeOrderId)) return { storeOrderId, outcome: "found" };
      await refuseUnsold(order, context);
      const entry = outboxOrder(storeOrderId, order, context.clock());
      const won = await createExclusive(orderFile(layout, storeOrderId), outboxText(entry));
      if (!won) return { storeOrderId, outcome: "found" };
      // Only the process that created the order file writes its rows, so they appear once.
      await ensureOrdersCsv();
      await appendSynced(layout.ordersCsv, createdRows(entry));
      return { storeOrderId, outcome: "created" };
    },

    findOrder: (key: OrderKey) => findOrder(key),

    async cancelOrder(storeOrderId: string, context: StoreContext): Promise<void> {
      const entry = isStoreOrderId(storeOrderId) ? await readOutboxOrder(layout, storeOrderId) : undefined;
      if (!entry) {
        throw new OmnifeedError("not_found", "the file store holds no such order", { where: storeOrderId });
      }
      // The first cancel to create the mark appends the row; a repeated or concurrent cancel only
      // makes sure the order file says cancelled (it may have crashed in between).
      const first = await createMark(`${layout.cancelMarks}/${storeOrderId}`);
      if (entry.status === "cancelled" && !first) return;
      const at = context.clock().toISOString();
      const cancelled =
        entry.status === "cancelled" ? entry : { ...entry, status: "cancelled" as const, cancelledAt: at };
      if (entry.status !== "cancelled")
        await replaceAtomically(orderFile(layout, storeOrderId), outboxText(cancelled));
      if (first) {
        await ensureOrdersCsv();
        await appendSynced(layout.ordersCsv, cancelledRow(cancelled, cancelled.cancelledAt ?? at));
      }
    },

    async shipmentsSince(from: Checkpoint | undefined) {
      return inboxSince(layout, from);
    },

    importTracking: (file: string, context: StoreContext) => importTracking(layout, file, context.clock()),
  });
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => !name.startsWith("."));
  } catch {
    return [];
  }
}
