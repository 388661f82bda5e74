/**
 * Runs `work` over `items` with at most `limit` calls in flight; the results keep the items'
 * order. The channels' per-item APIs (Merchant API, Listings Items) take changes this way, each
 * call still waiting for the account's token bucket.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
