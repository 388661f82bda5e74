/**
 * A webhook or notification as the HTTP server received it: the raw bytes (signatures are over
 * them, so nothing may parse and re-serialise the body first) and the headers. Stores and
 * marketplaces read it; the server builds it.
 */
export interface IncomingWebhook {
  rawBody: Buffer;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
}
