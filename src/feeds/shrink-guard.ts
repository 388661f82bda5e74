/**
 * Channels treat a primary feed as the whole truth: an item missing from the new file is deleted
 * (Google) or the catalog is replaced (Meta). A feed that shrank sharply is far more often a broken
 * run than a real clear-out, so it is held unless the operator forces it.
 */
export interface ShrinkVerdict {
  allowed: boolean;
  /** Share of the previous count that disappeared, 0…1 (0 when the feed grew). */
  drop: number;
  message: string;
}

export function checkShrink(
  previous: number | undefined,
  next: number,
  maxShrink: number,
  force: boolean,
): ShrinkVerdict {
  if (previous === undefined || previous === 0) {
    return { allowed: true, drop: 0, message: "first publish" };
  }
  const drop = next >= previous ? 0 : (previous - next) / previous;
  const change = `${previous} → ${next} (${next >= previous ? "+" : "−"}${formatShare(Math.abs(next - previous) / previous)})`;
  if (drop <= maxShrink) return { allowed: true, drop, message: change };
  if (force)
    return { allowed: true, drop, message: `${change}, over the ${formatShare(maxShrink)} limit, forced` };
  return {
    allowed: false,
    drop,
    message: `${change} is more than the ${formatShare(maxShrink)} allowed; the published file was kept (use --force to publish it, or raise --max-shrink)`,
  };
}

function formatShare(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 && share > 0 ? 1 : 0)}%`;
}
