import { createHash } from "node:crypto";
import { join } from "node:path";
import type { OrderKey } from "../../core/order.js";

/**
 * Where the file store keeps things under its folder, and how an order key becomes a file name.
 *
 * ```
 * <dir>/outbox/<store order id>.json   one file per imported order (the store-side lookup)
 * <dir>/outbox/.cancelled/<id>          who cancelled first (appends the cancellation row)
 * <dir>/orders.csv                      one row per order line, plus cancellation rows
 * <dir>/inbox/*.csv                     tracking files waiting to be read
 * <dir>/inbox/processed/                tracking files whose shipments were taken
 * ```
 * Names starting with a dot are temp files or markers; nothing reads them as orders or tracking.
 */
export interface FileStoreLayout {
  dir: string;
  outbox: string;
  cancelMarks: string;
  ordersCsv: string;
  inbox: string;
  processed: string;
}

export function layoutOf(dir: string): FileStoreLayout {
  const outbox = join(dir, "outbox");
  const inbox = join(dir, "inbox");
  return {
    dir,
    outbox,
    cancelMarks: join(outbox, ".cancelled"),
    ordersCsv: join(dir, "orders.csv"),
    inbox,
    processed: join(inbox, "processed"),
  };
}

const KEEP = /[A-Za-z0-9.-]/;
const MAX_NAME = 200;

/**
 * `amazon_A1B2C3_112-1234567-1234567`: the key's parts joined by `_`, each with every character
 * but letters, digits, `.` and `-` written as `%XX` (UTF-8 bytes), so `_` only ever separates parts
 * and two keys never share a name. A name past 200 characters is cut and ends in `~` and a hash
 * of the whole, so it stays unique and within every file system's limit.
 */
export function storeOrderIdFor(key: OrderKey): string {
  const name = [key.marketplace, key.account, key.orderId].map(encodePart).join("_");
  if (name.length <= MAX_NAME) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 16);
  return `${name.slice(0, MAX_NAME - 17)}~${hash}`;
}

function encodePart(part: string): string {
  let out = "";
  for (const char of part) {
    if (KEEP.test(char)) out += char;
    else
      for (const byte of Buffer.from(char, "utf8"))
        out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** True for a name `storeOrderIdFor` can give: never a path, never a dot file. */
export function isStoreOrderId(text: string): boolean {
  return text.length <= MAX_NAME && /^[a-z][A-Za-z0-9.%_~-]*$/.test(text);
}

export function orderFile(layout: FileStoreLayout, storeOrderId: string): string {
  return join(layout.outbox, `${storeOrderId}.json`);
}
