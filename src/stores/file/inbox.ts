import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { OmnifeedError } from "../../core/errors.js";
import type { RowIssue } from "../../core/issues.js";
import { orderKeyText, type OrderKey, type Shipment } from "../../core/order.js";
import type { Checkpoint } from "../../sources/source.js";
import { checkpointOf } from "../../sources/checkpoint.js";
import { createExclusive } from "./atomic-files.js";
import { storeOrderIdFor, type FileStoreLayout } from "./layout.js";
import { readOutboxOrder, type OutboxOrder } from "./outbox.js";
import { parseTrackingCsv, shipmentsOf, trackingCsvText, type TrackingRow } from "./tracking-csv.js";

/**
 * Tracking files in `inbox/`, read into shipments. A checkpoint lists the files (name and content
 * hash) one call read. The files stay where they are until a later call is handed that checkpoint:
 * the caller saves a checkpoint only once it has stored the shipments, so a file named in it is
 * done and moves to `inbox/processed/`. A crash between reading and saving therefore reads the
 * file again (same shipment ids), and no file is moved before its shipments are safe.
 */
const InboxCheckpointSchema = z.strictObject({
  files: z.array(z.strictObject({ name: z.string().min(1), hash: z.string().min(1) })),
});
type InboxFile = z.infer<typeof InboxCheckpointSchema>["files"][number];

/** Tracking files bigger than this are refused: a tracking file is a day's parcels, not a catalog. */
export const MAX_TRACKING_BYTES = 64 * 1024 * 1024;

const hashOf = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16);

function readInboxCheckpoint(from: Checkpoint | undefined, layout: FileStoreLayout): InboxFile[] {
  if (from === undefined) return [];
  const checkpoint = checkpointOf(from, InboxCheckpointSchema);
  if (checkpoint === undefined) {
    throw new OmnifeedError("config", "not a checkpoint of the file store's inbox", { where: layout.inbox });
  }
  return checkpoint.files;
}

/** Reads a tracking file whole; too big or unreadable is a `config` error naming the file. */
export async function readTrackingText(file: string): Promise<string> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT") throw new OmnifeedError("not_found", "tracking file not found", { where: file });
    throw new OmnifeedError("config", `cannot read the tracking file (${String(code)})`, { where: file });
  }
  if (size > MAX_TRACKING_BYTES) {
    throw new OmnifeedError("config", `the tracking file has ${size} bytes; split it below 64 MiB`, {
      where: file,
    });
  }
  return readFile(file, "utf8");
}

export interface CheckedTracking {
  rows: TrackingRow[];
  issues: RowIssue[];
  read: number;
}

/**
 * Parses a tracking file and checks each row against the outbox: the order must be one this store
 * imported and has not cancelled, the SKU one of its lines, and the file must not ship more of a
 * line than was ordered. Bad rows become issues; the rest are kept.
 */
export async function checkTracking(
  layout: FileStoreLayout,
  text: string,
  file: string,
): Promise<CheckedTracking> {
  const parsed = parseTrackingCsv(text, file);
  const issues = [...parsed.issues];
  const orders = new Map<string, OutboxOrder | undefined>();
  const shipped = new Map<string, number>();
  const rows: TrackingRow[] = [];
  for (const row of parsed.rows) {
    const keyText = orderKeyText(row.key);
    const id = storeOrderIdFor(row.key);
    if (!orders.has(id)) orders.set(id, await readOutboxOrder(layout, id));
    const entry = orders.get(id);
    const problem = (field: string, message: string): void => {
      issues.push({ file, line: row.line, field, severity: "error", message });
    };
    if (!entry) {
      problem("order_id", `no order ${keyText} in the file store's outbox`);
      continue;
    }
    if (entry.status === "cancelled") {
      problem("order_id", `order ${keyText} was cancelled`);
      continue;
    }
    const ordered = entry.order.lines
      .filter((line) => line.sku === row.sku)
      .reduce((sum, line) => sum + line.quantity, 0);
    if (ordered === 0) {
      problem("sku", `SKU ${row.sku} is not a line of order ${keyText}`);
      continue;
    }
    const total = (shipped.get(`${id}\n${row.sku}`) ?? 0) + row.quantity;
    if (total > ordered) {
      problem("quantity", `the file ships ${total} of SKU ${row.sku} but order ${keyText} has ${ordered}`);
      continue;
    }
    shipped.set(`${id}\n${row.sku}`, total);
    rows.push(row);
  }
  issues.sort((a, b) => a.line - b.line);
  return { rows, issues, read: parsed.read };
}

const storeOrderIdOf = (key: OrderKey): string => storeOrderIdFor(key);

async function inboxFiles(layout: FileStoreLayout): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(layout.inbox, { withFileTypes: true });
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return [];
    throw new OmnifeedError("transient", "cannot list the inbox", { where: layout.inbox, cause: error });
  }
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith(".") && /\.csv$/i.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** Moves the files a saved checkpoint names out of the way, when they are still what was read. */
async function retire(layout: FileStoreLayout, done: readonly InboxFile[]): Promise<void> {
  for (const file of done) {
    const path = join(layout.inbox, basename(file.name));
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      continue; // Already moved by an earlier call, or by the merchant.
    }
    if (hashOf(text) !== file.hash) continue; // Rewritten since: it will be read again.
    await mkdir(layout.processed, { recursive: true });
    try {
      await rename(path, join(layout.processed, `${file.hash}-${basename(file.name)}`));
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ENOENT") {
        throw new OmnifeedError("transient", "cannot move a read tracking file to processed/", {
          where: path,
          cause: error,
        });
      }
    }
  }
}

export interface InboxPage {
  shipments: Shipment[];
  issues: RowIssue[];
  checkpoint: Checkpoint;
}

export async function inboxSince(layout: FileStoreLayout, from: Checkpoint | undefined): Promise<InboxPage> {
  const done = readInboxCheckpoint(from, layout);
  await retire(layout, done);
  const taken: InboxFile[] = [];
  const shipments: Shipment[] = [];
  const issues: RowIssue[] = [];
  for (const name of await inboxFiles(layout)) {
    const path = join(layout.inbox, name);
    let text: string;
    try {
      text = await readTrackingText(path);
    } catch (error) {
      if ((error as { kind?: unknown }).kind === "not_found") continue; // Taken by a concurrent call.
      issues.push({ file: path, line: 1, severity: "error", message: (error as Error).message });
      continue;
    }
    const hash = hashOf(text);
    if (done.some((file) => file.name === name && file.hash === hash)) continue;
    const checked = await checkTracking(layout, text, path);
    shipments.push(...shipmentsOf(checked.rows, storeOrderIdOf));
    issues.push(...checked.issues);
    taken.push({ name, hash });
  }
  return { shipments, issues, checkpoint: JSON.stringify({ files: taken }) };
}

export interface TrackingImport {
  /** Where the accepted rows were written; absent when no row was accepted. */
  inboxFile?: string | undefined;
  read: number;
  accepted: number;
  orders: number;
  shipments: number;
  issues: RowIssue[];
}

/** `20261206T001500Z`: sorts in time order in a listing. */
function stamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/**
 * Checks a merchant's tracking file and writes its accepted rows, whole or not at all, into the
 * inbox as `<time>-<hash>-<name>.csv` with the documented header. Refused rows are returned as
 * issues (file:line: field) and not written: the merchant fixes them and imports them again.
 */
export async function importTracking(
  layout: FileStoreLayout,
  file: string,
  at: Date,
): Promise<TrackingImport> {
  const text = await readTrackingText(file);
  const checked = await checkTracking(layout, text, file);
  const shipments = shipmentsOf(checked.rows, storeOrderIdOf);
  const result: TrackingImport = {
    read: checked.read,
    accepted: checked.rows.length,
    orders: new Set(checked.rows.map((row) => orderKeyText(row.key))).size,
    shipments: shipments.length,
    issues: checked.issues,
  };
  if (checked.rows.length === 0) return result;
  const accepted = trackingCsvText(checked.rows);
  const safe = basename(file)
    .replace(/\.csv$/i, "")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^\.+/, "");
  const inboxFile = join(
    layout.inbox,
    `${stamp(at)}-${hashOf(accepted).slice(0, 8)}-${safe || "tracking"}.csv`,
  );
  // The same rows imported twice in one second share the name: the file is already there, whole.
  await createExclusive(inboxFile, accepted);
  return { ...result, inboxFile };
}
