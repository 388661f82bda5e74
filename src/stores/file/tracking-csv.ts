import { createHash } from "node:crypto";
import { CsvError, parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { IsoDateTimeSchema } from "../../core/catalog.js";
import type { RowIssue } from "../../core/issues.js";
import {
  MarketplaceAccountSchema,
  MarketplaceIdSchema,
  MarketplaceOrderIdSchema,
  orderKeyText,
  type OrderKey,
  type Shipment,
} from "../../core/order.js";

/**
 * The tracking CSV the merchant hands the file store: one row per order line shipped. Header
 * names are matched without regard to case or surrounding spaces; other columns are ignored
 * (with a warning). Rows of one order with the same carrier and tracking number are one package.
 */
export const TRACKING_COLUMNS = [
  "marketplace",
  "account",
  "order_id",
  "sku",
  "quantity",
  "carrier",
  "tracking_number",
  "tracking_url",
  "shipped_at",
] as const;
type TrackingColumn = (typeof TRACKING_COLUMNS)[number];
const REQUIRED: readonly TrackingColumn[] = [
  "marketplace",
  "account",
  "order_id",
  "sku",
  "quantity",
  "carrier",
  "tracking_number",
];

/** One valid row of a tracking file. */
export interface TrackingRow {
  /** The row's first line in its file. */
  line: number;
  key: OrderKey;
  sku: string;
  quantity: number;
  carrier: string;
  trackingNumber: string;
  trackingUrl?: string | undefined;
  shippedAt?: string | undefined;
}

export interface ParsedTracking {
  rows: TrackingRow[];
  issues: RowIssue[];
  /** Data rows read (good and bad). */
  read: number;
}

const URL = /^https?:\/\/\S+$/i;

/** The rows of a tracking file's text, each bad row an issue at `file:line: field` and left out. */
export function parseTrackingCsv(text: string, file: string): ParsedTracking {
  const issues: RowIssue[] = [];
  const problem = (line: number, field: string | undefined, message: string): void => {
    issues.push({ file, line, ...(field !== undefined && { field }), severity: "error", message });
  };
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        if (error)
          problem(
            lineOf(error),
            undefined,
            `${csvReason(error)}; this row and what follows it in the quotes were not read`,
          );
        return undefined;
      },
    }) as unknown as typeof records;
  } catch (error) {
    problem(error instanceof CsvError ? lineOf(error) : 1, undefined, csvReason(error));
    return { rows: [], issues, read: 0 };
  }
  const [head, ...body] = records;
  if (!head) {
    problem(1, undefined, `the file is empty; expected a header with ${REQUIRED.join(", ")}`);
    return { rows: [], issues, read: 0 };
  }
  const columns = new Map<TrackingColumn, number>();
  head.record.forEach((name, index) => {
    const column = name.trim().toLowerCase() as TrackingColumn;
    if ((TRACKING_COLUMNS as readonly string[]).includes(column)) {
      if (columns.has(column)) problem(1, column, "the column appears twice; the first one is read");
      else columns.set(column, index);
    } else if (name.trim() !== "") {
      issues.push({
        file,
        line: 1,
        field: name.trim(),
        severity: "warning",
        message: "unknown column, ignored",
      });
    }
  });
  const absent = REQUIRED.filter((column) => !columns.has(column));
  if (absent.length > 0) {
    for (const column of absent) problem(1, column, "required column missing from the header");
    return { rows: [], issues, read: body.length };
  }

  const rows: TrackingRow[] = [];
  for (const { record, info, raw } of body) {
    const line = startLine(info.lines, raw);
    const value = (column: TrackingColumn): string => {
      const index = columns.get(column);
      return index === undefined ? "" : (record[index] ?? "").trim();
    };
    const before = issues.length;
    const need = (column: TrackingColumn): string => {
      const text = value(column);
      if (text === "") problem(line, column, "missing");
      return text;
    };
    const marketplace = need("marketplace");
    if (marketplace !== "" && !MarketplaceIdSchema.safeParse(marketplace).success) {
      problem(line, "marketplace", `"${marketplace}" is not a marketplace id (lower case, such as amazon)`);
    }
    const account = need("account");
    const orderId = need("order_id");
    const sku = need("sku");
    const quantityText = need("quantity");
    const quantity = Number(quantityText);
    if (quantityText !== "" && !(/^\d+$/.test(quantityText) && quantity > 0)) {
      problem(line, "quantity", `"${quantityText}" is not a whole number above 0`);
    }
    const carrier = need("carrier");
    const trackingNumber = need("tracking_number");
    const trackingUrl = value("tracking_url");
    if (trackingUrl !== "" && !URL.test(trackingUrl)) problem(line, "tracking_url", "not an http(s) URL");
    const shippedAt = value("shipped_at");
    if (shippedAt !== "" && !IsoDateTimeSchema.safeParse(shippedAt).success) {
      problem(line, "shipped_at", `"${shippedAt}" is not an ISO 8601 date such as 2026-12-01T14:30:00Z`);
    }
    if (issues.length > before) continue;
    rows.push({
      line,
      key: {
        marketplace: MarketplaceIdSchema.parse(marketplace),
        account: MarketplaceAccountSchema.parse(account),
        orderId: MarketplaceOrderIdSchema.parse(orderId),
      },
      sku,
      quantity,
      carrier,
      trackingNumber,
      ...(trackingUrl !== "" && { trackingUrl }),
      ...(shippedAt !== "" && { shippedAt }),
    });
  }
  return { rows, issues, read: body.length };
}

function lineOf(error: CsvError): number {
  const line = Number(error.lines);
  return Number.isInteger(line) && line > 0 ? line : 1;
}

function csvReason(error: unknown): string {
  if (error instanceof CsvError && error.code === "CSV_QUOTE_NOT_CLOSED")
    return "a quote opened here is never closed";
  return `not readable as CSV (${error instanceof CsvError ? error.code : "error"})`;
}

/** csv-parse counts lines up to a record's end; a quoted line break makes the record start earlier. */
function startLine(endLine: number, raw: string): number {
  const body = raw.replace(/^(?:\r?\n)+/, "").replace(/\r?\n$/, "");
  return endLine - (body.match(/\n/g)?.length ?? 0);
}

/**
 * A package's id: the order, the carrier and the tracking number. The same package read from two
 * files (a file dropped twice) keeps its id, so pushing its tracking stays idempotent.
 */
export function shipmentIdOf(key: OrderKey, carrier: string, trackingNumber: string): string {
  const hash = createHash("sha256")
    .update(`${orderKeyText(key)}\n${carrier}\n${trackingNumber}`)
    .digest("hex")
    .slice(0, 24);
  return `trk-${hash}`;
}

/** The rows as packages: one shipment per order + carrier + tracking number, SKUs summed. */
export function shipmentsOf(
  rows: readonly TrackingRow[],
  storeOrderIdOf: (key: OrderKey) => string,
): Shipment[] {
  const byPackage = new Map<string, Shipment>();
  for (const row of rows) {
    const shipmentId = shipmentIdOf(row.key, row.carrier, row.trackingNumber);
    let shipment = byPackage.get(shipmentId);
    if (!shipment) {
      shipment = {
        shipmentId,
        order: row.key,
        storeOrderId: storeOrderIdOf(row.key),
        carrier: row.carrier,
        trackingNumber: row.trackingNumber,
        lines: [],
        cancelled: false,
      };
      byPackage.set(shipmentId, shipment);
    }
    if (row.trackingUrl !== undefined) shipment.trackingUrl ??= row.trackingUrl;
    if (row.shippedAt !== undefined) shipment.shippedAt ??= row.shippedAt;
    const line = shipment.lines.find((candidate) => candidate.sku === row.sku);
    if (line) line.quantity += row.quantity;
    else shipment.lines.push({ sku: row.sku as Shipment["lines"][number]["sku"], quantity: row.quantity });
  }
  return [...byPackage.values()];
}

/** Rows as a tracking CSV with the documented header, as `tracking import` writes into the inbox. */
export function trackingCsvText(rows: readonly TrackingRow[]): string {
  return stringify(
    rows.map((row) => [
      row.key.marketplace,
      row.key.account,
      row.key.orderId,
      row.sku,
      row.quantity,
      row.carrier,
      row.trackingNumber,
      row.trackingUrl ?? "",
      row.shippedAt ?? "",
    ]),
    { header: true, columns: [...TRACKING_COLUMNS], record_delimiter: "\n" },
  );
}
