import type { LocationStock, Variant } from "../core/catalog.js";
import type { Allocation } from "./schema.js";
import type { AllocatedStock } from "./types.js";

/**
 * Per-channel stock allocation: how much of a variant's stock one channel is offered. Holding a
 * buffer back (and offering a share) keeps a sale on one channel from overselling on another
 * before the stock change has reached it.
 */

/** `min(cap, floor(max(0, base − buffer) × percentage / 100))`, and 0 at or below the threshold. */
export function offeredQuantity(base: number, policy: Allocation | undefined): number {
  if (!policy) return Math.max(0, base);
  const afterBuffer = Math.max(0, base - (policy.buffer ?? 0));
  const share = Math.floor((afterBuffer * (policy.percentage ?? 100)) / 100);
  const capped = policy.cap === undefined ? share : Math.min(policy.cap, share);
  return capped <= (policy.out_of_stock_threshold ?? 0) ? 0 : capped;
}

/**
 * The stock offered to a channel. The base is `variant.quantity`, else the sum of the offered
 * locations of `variant.inventory`, else untracked (`undefined`). The same policy applies to each
 * location; `policy.locations` limits which store codes are offered.
 */
export function allocate(variant: Variant, policy: Allocation | undefined): AllocatedStock {
  const allowed = policy?.locations ? new Set(policy.locations) : undefined;
  const locations: LocationStock[] = [];
  // A variant stocked only in locations this channel is not offered has 0 here, not "untracked".
  let locationTotal: number | undefined = variant.inventory.length > 0 ? 0 : undefined;
  for (const entry of variant.inventory) {
    if (allowed && !allowed.has(entry.location)) continue;
    locationTotal = (locationTotal ?? 0) + entry.quantity;
    locations.push({ location: entry.location, quantity: offeredQuantity(entry.quantity, policy) });
  }
  const base = variant.quantity ?? locationTotal;
  const quantity = base === undefined ? undefined : offeredQuantity(base, policy);
  const declared = variant.availability;
  const availability =
    declared === "preorder" || declared === "backorder" || declared === "out_of_stock"
      ? declared
      : quantity === undefined || quantity > 0
        ? "in_stock"
        : "out_of_stock";
  return { quantity, locations, availability };
}
