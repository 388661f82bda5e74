import { readdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ExportResult } from "../../src/pipeline/export.js";
import { runExport } from "../../src/pipeline/export.js";
import { prepareRun } from "../../src/pipeline/plan.js";
import { SPOOL_DIR_NAME } from "../../src/pipeline/store-spool.js";
import { storeBlockOf } from "../../src/dev/simulators/run-simulators.js";
import type { RunningSimulator } from "../../src/dev/simulators/simulator.js";
import type { StoreFormat } from "../../src/sources/source.js";

/** The feed files an export writes for Google, Meta and Amazon, by name. */
export const STORE_FEED_FILES = /^(google\.xml|google\.tsv|meta\.csv|meta\.xml|amazon.*\.json)$/;

/**
 * Exports the catalog of a running store simulator to Google, Meta and Amazon feeds in `out`, in
 * this process, connected as `stores.<store>` of omnifeed.config.yaml would connect (the block
 * `omnifeed dev simulators` prints), the secrets from the simulator's test credentials.
 */
export async function exportFromStore(
  simulator: RunningSimulator,
  out: string,
  options: {
    workers?: number;
    signal?: AbortSignal;
    resume?: boolean;
    /** Connection settings over the printed block's (`bulk_poll_ms` for a quick test). */
    settings?: Record<string, unknown>;
  } = {},
): Promise<ExportResult> {
  const run = await prepareRun(
    {
      store: simulator.channel as StoreFormat,
      options: { ...storeBlockOf(simulator), ...options.settings },
      spool: { dir: join(out, SPOOL_DIR_NAME), resume: options.resume ?? true },
      context: { clock: () => new Date(), secret: (name) => simulator.env[name] },
    },
    [
      { id: "google" },
      { id: "meta" },
      {
        id: "amazon",
        mappingFile: await amazonMapping(out),
        account: { seller_id: "A1STORETEST", marketplace_id: "ATVPDKIKX0DER" },
      },
    ],
  );
  return runExport(run, {
    outDir: out,
    gzip: false,
    maxShrink: 1,
    force: true,
    allowEmpty: true,
    strict: false,
    workers: options.workers ?? 0,
    signal: options.signal,
  });
}

// The generated catalog has no Amazon product types: one for every item, so the feed has entries.
async function amazonMapping(out: string): Promise<string> {
  const file = join(out, "..", `${basename(out)}-amazon.yaml`);
  await writeFile(
    file,
    "version: 1\nchannel: amazon\nextends: default\nfields:\n  product_type: { value: HOME }\n",
  );
  return file;
}

/** The feeds an export wrote, name → bytes. */
export async function feedFiles(out: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(out)).filter((name) => STORE_FEED_FILES.test(name)).sort();
  const feeds = new Map<string, Buffer>();
  for (const name of names) feeds.set(name, await readFile(join(out, name)));
  return feeds;
}
