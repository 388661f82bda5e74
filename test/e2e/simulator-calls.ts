/** What the e2e tests read from the simulators' call logs. */
export type ChannelName = "google" | "meta" | "amazon";

export interface RecordedCall {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
  status: number;
  at: number;
}

/** The calls that change something on the channel (not tokens, reads or status polls). */
export function writeCalls(channel: ChannelName, calls: readonly RecordedCall[]): RecordedCall[] {
  return calls.filter((call) => {
    if (channel === "google") return call.method !== "GET" && /^\/(products|inventories)\//.test(call.path);
    if (channel === "meta") return call.method === "POST" && call.path.endsWith("/items_batch");
    return (
      (["PUT", "PATCH", "DELETE"].includes(call.method) && call.path.startsWith("/listings/")) ||
      (call.method === "POST" && call.path === "/feeds/2021-06-30/feeds")
    );
  });
}
