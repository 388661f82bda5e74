import { readFile } from "node:fs/promises";
import { z } from "zod";
import { IsoDateTimeSchema } from "../../core/catalog.js";
import { OmnifeedError } from "../../core/errors.js";
import { OrderSchema, type Order } from "../../core/order.js";
import { orderFile, type FileStoreLayout } from "./layout.js";

/**
 * One imported order as the file store keeps it: `outbox/<store order id>.json`. The file's
 * existence is the store-side lookup; the merchant (or their tooling) reads the order from it.
 */
export const OUTBOX_FORMAT = "omnifeed.file-store.order/1";

export const OutboxOrderSchema = z.object({
  format: z.literal(OUTBOX_FORMAT),
  storeOrderId: z.string().min(1),
  status: z.enum(["open", "cancelled"]),
  /** When omnifeed wrote the order into the outbox. */
  createdAt: IsoDateTimeSchema,
  cancelledAt: IsoDateTimeSchema.optional(),
  /** The canonical order, as the marketplace sold it. */
  order: OrderSchema,
});
export type OutboxOrder = z.infer<typeof OutboxOrderSchema>;

export function outboxOrder(storeOrderId: string, order: Order, createdAt: Date): OutboxOrder {
  return {
    format: OUTBOX_FORMAT,
    storeOrderId,
    status: "open",
    createdAt: createdAt.toISOString(),
    order,
  };
}

export function outboxText(entry: OutboxOrder): string {
  return `${JSON.stringify(entry, null, 2)}\n`;
}

/** The order in the outbox, or `undefined` when there is none; a damaged file is a `config` error. */
export async function readOutboxOrder(
  layout: FileStoreLayout,
  storeOrderId: string,
): Promise<OutboxOrder | undefined> {
  const path = orderFile(layout, storeOrderId);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return undefined;
    throw new OmnifeedError("transient", "cannot read the order file", { where: path, cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OmnifeedError("config", "the order file is not JSON; restore it or remove it", { where: path });
  }
  const parsed = OutboxOrderSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new OmnifeedError(
      "config",
      `the order file does not hold a file-store order: ${first.path.join(".") || "(root)"}: ${first.message}`,
      { where: path },
    );
  }
  return parsed.data;
}
