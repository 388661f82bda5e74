import { isOmnifeedError } from "../core/errors.js";
import type { SourceCheck } from "../sources/source.js";
import type { CatalogRequest } from "./plan.js";
import { prepareCatalog } from "./plan.js";

/** What `omnifeed catalog check` found: the source's answer, and which source it asked. */
export interface CatalogCheck extends SourceCheck {
  /** `shopify`, `woocommerce`, or the file's format. */
  format: string;
  kind: "file" | "store";
}

/**
 * Tests that the run's catalog can be read, without reading it: a store is asked once through its
 * source's `check()` (connection and credentials); a file's format is detected and its first batch
 * read. A problem the source reports as an error (no token, a refused login, a store that does not
 * answer) comes back as `ok: false` with its message, not as a crash; bad settings still throw.
 */
export async function checkCatalog(request: CatalogRequest, signal?: AbortSignal): Promise<CatalogCheck> {
  const catalog = await prepareCatalog(request);
  if (catalog.kind === "store") {
    const context = { ...catalog.context, signal };
    try {
      return {
        kind: "store",
        format: catalog.format,
        ...(await catalog.source.check(catalog.options, context)),
      };
    } catch (error) {
      if (!isOmnifeedError(error) || error.kind === "config") throw error;
      return {
        kind: "store",
        format: catalog.format,
        ok: false,
        target: catalog.file,
        detail: error.message,
      };
    }
  }
  let records = 0;
  for await (const batch of catalog.source.records(catalog.file, catalog.options, {
    batchSize: 100,
    encoding: catalog.encoding,
    ...(signal ? { signal } : {}),
  })) {
    records = batch.records;
    break;
  }
  return {
    kind: "file",
    format: catalog.format,
    ok: true,
    target: catalog.file,
    detail:
      records === 0
        ? "readable, but it holds no record"
        : `readable; the first batch holds ${records} records`,
  };
}
