import { z } from "zod";
import { ChannelIdSchema } from "../core/ids.js";
import { OrderKeySchema } from "../core/order.js";
import { MARKETPLACE_IDS } from "../orders/order-setup.js";
import type { Lane } from "./lanes.js";
import { WebhookEventPayloadSchema } from "./webhook-events.js";

/**
 * Job kinds and their payloads. Every payload is parsed with its schema when a job is added and
 * again when a worker takes it (STYLE.md rule 2): a job written by another version of omnifeed, or
 * by hand in Redis, fails with a clear reason instead of half-running.
 */
export const JOB_KINDS = [
  "import",
  "build-feeds",
  "build-chunk",
  "publish",
  "reconcile",
  "webhook-event",
  "stock",
  "orders-pull",
  "order-sync",
  "tracking-push",
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** The lane each kind runs in: webhook events, orders, tracking and stock take the fast lane, which bulk catalog work cannot starve. */
export const LANE_OF: Readonly<Record<JobKind, Lane>> = {
  import: "bulk",
  "build-feeds": "bulk",
  "build-chunk": "bulk",
  publish: "bulk",
  reconcile: "bulk",
  "webhook-event": "fast",
  // A sale must reach the other channels before they oversell: bulk catalog work cannot starve it.
  stock: "fast",
  "orders-pull": "fast",
  "order-sync": "fast",
  "tracking-push": "fast",
};

const Channels = z.array(ChannelIdSchema).min(1).optional();

/** What every job names: the job (schedule name, or the kind for a job run on demand). */
const Base = z.object({
  /** The schedule's name, or the kind for a job run on demand: runs are kept under it. */
  name: z.string().min(1),
  /** The channels it covers; every enabled channel of the config when absent. */
  channels: Channels,
});

export const ImportPayloadSchema = Base;
export const BuildFeedsPayloadSchema = Base.extend({
  force: z.boolean().default(false),
  /** Set by the job itself once it has split the catalog into chunk jobs (jobs/chunked-builds.ts). */
  step: z.enum(["start", "assemble"]).default("start"),
  /** The chunk plan (pipeline/chunk-plan.ts), kept in the job for the assembly step. */
  plan: z.unknown().optional(),
  /** Names the run's spool folder under the output folder; the parent job's id. */
  runId: z.string().min(1).optional(),
  /** When the build started, so the run's duration covers its chunks and not only the assembly. */
  startedAt: z.number().int().positive().optional(),
  /** The attempt in which chunks whose spool was missing at assembly were queued again. */
  rebuilt: z.number().int().nonnegative().optional(),
});
export const BuildChunkPayloadSchema = z.object({
  name: z.string().min(1),
  channels: Channels,
  /** The parent build's plan and the chunk of it this job builds. */
  plan: z.unknown(),
  index: z.number().int().nonnegative(),
  /** The parent's run id: the chunk's spool is `<output.dir>/.omnifeed-chunks/<runId>/`. */
  runId: z.string().min(1),
});
export const PublishPayloadSchema = Base.extend({
  /** Send deletes even past the shrink guard. */
  force: z.boolean().default(false),
});
export const ReconcilePayloadSchema = Base.extend({
  /** Send the differences found, as `omnifeed reconcile --fix`. */
  fix: z.boolean().default(false),
  force: z.boolean().default(false),
});

/** `stock`: an imported order's sale, pushed to every other channel (pipeline/stock-publish.ts). */
export const StockPayloadSchema = Base.extend({
  /** Names the order (`amazon/<account>/<order id>`): its holds are recorded once. */
  orderKey: z.string().min(1),
  /** The channel the order came from; left out of the push. */
  fromChannel: ChannelIdSchema.optional(),
  sold: z
    .array(
      z.object({
        sku: z.string().trim().min(1),
        quantity: z.number().int().positive(),
        line: z.string().min(1).optional(),
      }),
    )
    .min(1),
  /** When the sale reached the store (ms since epoch). */
  soldAt: z.number().int().nonnegative().optional(),
});
/** `orders-pull`: pull every configured marketplace (or one), import, carry cancellations over. */
export const OrdersPullPayloadSchema = z.object({
  name: z.string().min(1),
  marketplace: z.enum(MARKETPLACE_IDS).optional(),
});
/** `order-sync`: one order after a marketplace notification: fetched, received, imported or cancelled. */
export const OrderSyncPayloadSchema = OrderKeySchema.extend({ name: z.string().min(1) });
/** `tracking-push`: the store's new fulfillments recorded, tracking pushed to the marketplaces. */
export const TrackingPushPayloadSchema = z.object({ name: z.string().min(1) });

export const PAYLOAD_SCHEMAS = {
  import: ImportPayloadSchema,
  "build-feeds": BuildFeedsPayloadSchema,
  "build-chunk": BuildChunkPayloadSchema,
  publish: PublishPayloadSchema,
  reconcile: ReconcilePayloadSchema,
  "webhook-event": WebhookEventPayloadSchema,
  stock: StockPayloadSchema,
  "orders-pull": OrdersPullPayloadSchema,
  "order-sync": OrderSyncPayloadSchema,
  "tracking-push": TrackingPushPayloadSchema,
} as const satisfies Record<JobKind, z.ZodType>;

export type PayloadOf<Kind extends JobKind> = z.infer<(typeof PAYLOAD_SCHEMAS)[Kind]>;
export type PayloadInput<Kind extends JobKind> = z.input<(typeof PAYLOAD_SCHEMAS)[Kind]>;

export function isJobKind(name: string): name is JobKind {
  return (JOB_KINDS as readonly string[]).includes(name);
}

/**
 * The identity of a piece of work: the same kind over the same channels is the same work, so it
 * is never queued twice while one is waiting (BullMQ deduplication by this id). Work about one
 * thing (`stock`: an order) names it as `subject`, so two orders are two pieces of work.
 */
export function workIdOf(kind: JobKind, channels: readonly string[] | undefined, subject?: string): string {
  const id = `${kind}:${channels && channels.length > 0 ? [...channels].sort().join(",") : "all"}`;
  return subject === undefined ? id : `${id}:${subject}`;
}

/**
 * The deduplication id of a job: the work's identity (`workIdOf`); an `order-sync` is the same work
 * per order key, so three deliveries of one notification queue one job; a `stock` job per order key.
 */
export function dedupeIdOf(kind: JobKind, data: Record<string, unknown>): string {
  if (kind === "order-sync")
    return `${kind}:${String(data.marketplace)}/${String(data.account)}/${String(data.orderId)}`;
  if (kind === "orders-pull")
    return `${kind}:${typeof data.marketplace === "string" ? data.marketplace : "all"}`;
  // A stock job is about one order's sale: two orders' sales are two pieces of work.
  return workIdOf(
    kind,
    Array.isArray(data.channels) ? (data.channels as string[]) : undefined,
    typeof data.orderKey === "string" ? data.orderKey : undefined,
  );
}
