import { z } from "zod";
import { OmnifeedError } from "../../core/errors.js";
import { abortableSleep } from "../../infra/rate-limiters.js";
import { UserErrorsSchema, userErrorsError, type ShopifyClient } from "./client.js";
import { BULK_POLL_QUERY, BULK_RUN_MUTATION } from "./queries.js";

/**
 * A bulk query operation's life (stores.md §1.4): started by `bulkOperationRunQuery`, polled by
 * id (`currentBulkOperation` is deprecated) with a doubling wait, finished with a JSONL URL, or
 * no URL when it found nothing.
 */

const RunSchema = z.object({
  bulkOperationRunQuery: z
    .object({
      bulkOperation: z.object({ id: z.string(), status: z.string() }).nullable(),
      userErrors: UserErrorsSchema,
    })
    .nullable(),
});

const PollSchema = z.object({
  bulkOperation: z
    .object({
      id: z.string(),
      status: z.string(),
      errorCode: z.string().nullable().optional(),
      objectCount: z.union([z.string(), z.number()]).optional(),
      url: z.string().nullable().optional(),
    })
    .nullable(),
});
export type BulkOperationState = NonNullable<z.infer<typeof PollSchema>["bulkOperation"]>;

const MAX_POLL_MS = 30_000;

export async function startBulkQuery(
  client: ShopifyClient,
  query: string,
  signal?: AbortSignal,
): Promise<string> {
  const answer = await client.request<unknown>("bulkOperationRunQuery", BULK_RUN_MUTATION, { query }, signal);
  const parsed = RunSchema.parse(answer.data).bulkOperationRunQuery;
  const errors = parsed?.userErrors ?? [];
  if (errors.length > 0 || !parsed?.bulkOperation) {
    // Another bulk query of this app is still running (one at a time before 2026-01).
    const busy = errors.some(
      (error) => error.code === "OPERATION_IN_PROGRESS" || error.code === "LIMIT_REACHED",
    );
    throw userErrorsError(
      "bulkOperationRunQuery",
      errors.length > 0 ? errors : [{ message: "no bulk operation was started" }],
      answer.requestId,
      busy ? "conflict" : "rejected",
    );
  }
  return parsed.bulkOperation.id;
}

/** The operation now; undefined when Shopify no longer knows it. */
export async function readBulkOperation(
  client: ShopifyClient,
  id: string,
  signal?: AbortSignal,
): Promise<BulkOperationState | undefined> {
  const answer = await client.request<unknown>("bulkOperation", BULK_POLL_QUERY, { id }, signal);
  return PollSchema.parse(answer.data).bulkOperation ?? undefined;
}

/** Polls until the operation is finished; returns it COMPLETED or throws why not. */
export async function awaitBulkOperation(
  client: ShopifyClient,
  id: string,
  firstWaitMs: number,
  signal?: AbortSignal,
): Promise<BulkOperationState> {
  let wait = firstWaitMs;
  for (;;) {
    const state = await readBulkOperation(client, id, signal);
    if (state === undefined)
      throw new OmnifeedError("not_found", `Shopify Admin API: bulk operation ${id} is unknown to the shop`);
    if (state.status === "COMPLETED") return state;
    if (["FAILED", "CANCELED", "CANCELING", "EXPIRED"].includes(state.status)) {
      const code = state.errorCode ?? undefined;
      const kind = code === "ACCESS_DENIED" ? "auth" : state.status === "FAILED" ? "transient" : "rejected";
      throw new OmnifeedError(
        kind,
        `Shopify Admin API: bulk operation ${id} ended ${state.status}${code ? ` (${code})` : ""}`,
      );
    }
    await abortableSleep(wait, signal);
    wait = Math.min(MAX_POLL_MS, wait * 2);
  }
}
