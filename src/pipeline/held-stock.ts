import type { Variant } from "../core/catalog.js";

/**
 * The variant as the channels should see it while `held` units of it are sold but not yet in the
 * catalog (adr/0028): its total quantity less the hold, never below 0. The base is the variant's
 * quantity, else the sum of its locations; an untracked variant (neither) is left as it is.
 * Location quantities stay as read: a marketplace order says nothing of which shelf it empties,
 * and local inventory is about shops, not the online stock a marketplace sells from.
 */
export function heldVariant(variant: Variant, held: number | undefined): Variant {
  if (!held) return variant;
  const base =
    variant.quantity ??
    (variant.inventory.length > 0
      ? variant.inventory.reduce((sum, entry) => sum + entry.quantity, 0)
      : undefined);
  if (base === undefined) return variant;
  return { ...variant, quantity: Math.max(0, base - held) };
}
