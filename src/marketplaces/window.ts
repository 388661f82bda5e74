import { z } from "zod";
import { OmnifeedError } from "../core/errors.js";
import type { OrderCheckpoint } from "./marketplace.js";

/**
 * The checkpoint of a pull by last-update window, shared by the marketplaces that poll that way
 * (Amazon `lastUpdatedAfter`, eBay `lastmodifieddate`): the window's start, its end when the
 * marketplace fixes one, and where in the window's pages the next page starts (Amazon's
 * pagination token, eBay's offset). After a window's last page the checkpoint is the next window:
 * it starts `overlap` before the end of this one, so a change indexed late is still seen; the
 * ledger makes the repeats harmless.
 */
export const WindowCheckpointSchema = z.strictObject({
  /** Which marketplace wrote it, so one is never resumed by another. */
  marketplace: z.string(),
  /** Window start (inclusive), ISO 8601 UTC. */
  from: z.iso.datetime(),
  /** Window end, when the window is fixed (Amazon); absent for an open window. */
  to: z.iso.datetime().optional(),
  /** Amazon's pagination token or eBay's offset of the next page of this window. */
  page: z.union([z.string().min(1), z.number().int().nonnegative()]).optional(),
  /** For open windows: when the window's first page was asked for (the next window starts from it). */
  started: z.iso.datetime().optional(),
});
export type WindowCheckpoint = z.infer<typeof WindowCheckpointSchema>;

export function writeCheckpoint(checkpoint: WindowCheckpoint): OrderCheckpoint {
  return JSON.stringify(WindowCheckpointSchema.parse(checkpoint));
}

/** Reads a stored checkpoint; one that is not this marketplace's is a `config` error saying so. */
export function readCheckpoint(text: OrderCheckpoint, marketplace: string): WindowCheckpoint {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const checkpoint = WindowCheckpointSchema.safeParse(parsed);
  if (!checkpoint.success || checkpoint.data.marketplace !== marketplace) {
    throw new OmnifeedError(
      "config",
      `not a ${marketplace} order checkpoint: ${JSON.stringify(text.slice(0, 80))}; pull without one to start from the look-back`,
      { where: `${marketplace} order checkpoint` },
    );
  }
  return checkpoint.data;
}

/** The start of the window after one that ended at `end`: `overlapMs` earlier. */
export function nextWindowStart(end: Date, overlapMs: number, floor: Date): string {
  return new Date(Math.max(floor.getTime(), end.getTime() - overlapMs)).toISOString();
}
