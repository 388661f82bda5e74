import { availableParallelism } from "node:os";
import type { ChannelId } from "../core/ids.js";
import { OmnifeedError } from "../core/errors.js";
import type { Channel } from "../channels/channel.js";
import { channelById, descriptorOf } from "../channels/registry.js";
import type { FeedFormat } from "../feeds/format.js";
import { loadMapping } from "../mapping/load.js";
import type { CompiledMapping } from "../mapping/types.js";
import { envValue } from "../config/env.js";
import { detectCatalogFormat, loadStoreSource, sourceFor } from "../sources/registry.js";
import type {
  CatalogSource,
  FileFormat,
  SourceContext,
  StoreFormat,
  StoreSource,
} from "../sources/source.js";
import type { BuildSpec } from "./build.js";
import type { SpoolSettings } from "./store-spool.js";

/** The catalog of a run: a file, or the merchant's store read over its API. */
export type CatalogRequest = FileCatalogRequest | StoreCatalogRequest;

export interface FileCatalogRequest {
  store?: undefined;
  file: string;
  /** Detected from the file when absent. */
  format?: FileFormat | undefined;
  /** The source's options (currency, store_url, column_map…), validated by its schema. */
  options?: Record<string, unknown> | undefined;
  /** The file's text encoding (`--encoding`, `catalog.encoding`); UTF-8 when absent. */
  encoding?: string | undefined;
}

export interface StoreCatalogRequest {
  store: StoreFormat;
  /** The store source's options: the connection of `stores.<store>` and `catalog.options`. */
  options: Record<string, unknown>;
  /** Where the store read is spooled, and whether an interrupted one is resumed (adr/0025). */
  spool: SpoolSettings;
  /** The source to read with instead of the registry's (tests; the build then runs on this thread). */
  source?: StoreSource | undefined;
  /** The outside world of the source; the process environment and clock when absent. */
  context?: SourceContext | undefined;
}

export interface ChannelRequest {
  id: ChannelId;
  /** A merchant mapping file; the built-in default when absent. */
  mappingFile?: string | undefined;
  /** Feed ids to write; the mapping's or the channel's defaults when absent. */
  feeds?: readonly string[] | undefined;
  /** The channel's account settings, checked against its account schema (run-options). */
  account?: Readonly<Record<string, unknown>> | undefined;
}

export interface PreparedChannel {
  channel: Channel;
  mapping: CompiledMapping;
  mappingFile: string | undefined;
  account: Readonly<Record<string, unknown>> | undefined;
  feeds: FeedFormat[];
}

/** Everything checked before the first record is read: format, options, mappings, feeds. */
export interface PreparedRun {
  catalog: PreparedCatalog;
  channels: PreparedChannel[];
}

export type PreparedCatalog = PreparedFileCatalog | PreparedStoreCatalog;

export interface PreparedFileCatalog {
  kind: "file";
  file: string;
  format: FileFormat;
  source: CatalogSource;
  options: unknown;
  encoding?: string | undefined;
}

export interface PreparedStoreCatalog {
  kind: "store";
  /** The store's label (`shopify:acme.myshopify.com`): what issues and reports name as the file. */
  file: string;
  format: StoreFormat;
  source: StoreSource;
  options: unknown;
  encoding?: undefined;
  spool: SpoolSettings;
  context: SourceContext;
}

/**
 * The run's catalog file, for what only a file can do (chunked builds cut it by batch indexes and
 * re-read it on every worker); a store catalog is refused with a clear reason.
 */
export function fileCatalogOf(run: PreparedRun, purpose: string): PreparedFileCatalog {
  if (run.catalog.kind === "file") return run.catalog;
  throw new OmnifeedError(
    "config",
    `${purpose} reads a catalog file; the ${run.catalog.format} catalog (${run.catalog.file}) is built in one piece`,
  );
}

/** A source's context from this process: secrets from the environment (config/env.ts), the wall clock. */
export function processSourceContext(signal?: AbortSignal): SourceContext {
  return { signal, clock: () => new Date(), secret: envValue };
}

export async function prepareRun(
  catalog: CatalogRequest,
  channels: readonly ChannelRequest[],
  feedFilter?: readonly string[],
): Promise<PreparedRun> {
  const prepared = await prepareCatalog(catalog);
  if (channels.length === 0) throw new OmnifeedError("config", "no channel selected");

  const preparedChannels = channels.map((request) => {
    const channel = channelById(request.id);
    const mapping = loadMapping(descriptorOf(channel), request.mappingFile, request.account);
    const wanted = request.feeds ?? mapping.feeds ?? channel.defaultFeeds;
    // `--feeds` names the feeds to write, so it may pick feeds the mapping or config do not list.
    const chosen = feedFilter ?? wanted;
    const feeds = channel.feeds.filter((feed) => chosen.includes(feed.id));
    for (const feedId of wanted) {
      if (!channel.feeds.some((feed) => feed.id === feedId)) {
        throw new OmnifeedError("config", `channel ${channel.id} has no feed "${feedId}"`);
      }
    }
    return { channel, mapping, mappingFile: request.mappingFile, account: request.account, feeds };
  });

  if (feedFilter) {
    for (const feedId of feedFilter) {
      if (!preparedChannels.some(({ channel }) => channel.feeds.some((feed) => feed.id === feedId))) {
        throw new OmnifeedError("config", `no selected channel writes the feed "${feedId}"`);
      }
    }
    const empty = preparedChannels.find((entry) => entry.feeds.length === 0);
    if (empty) throw new OmnifeedError("config", `--feeds selects no feed of channel ${empty.channel.id}`);
  }

  return { catalog: prepared, channels: preparedChannels };
}

/** The catalog's source found (a file's format detected) and its options checked. */
export async function prepareCatalog(catalog: CatalogRequest): Promise<PreparedCatalog> {
  if (catalog.store !== undefined) {
    const source = catalog.source ?? (await loadStoreSource(catalog.store));
    const options = parseSourceOptions(source.optionsSchema, catalog.options, `stores.${catalog.store}`);
    return {
      kind: "store",
      file: source.label(options),
      format: catalog.store,
      source,
      options,
      spool: catalog.spool,
      context: catalog.context ?? processSourceContext(),
    };
  }
  const format = catalog.format ?? (await detectCatalogFormat(catalog.file, catalog.encoding));
  const source = sourceFor(format);
  const options = parseSourceOptions(
    source.optionsSchema,
    catalog.options ?? {},
    `catalog options for ${format}`,
  );
  return { kind: "file", file: catalog.file, format, source, options, encoding: catalog.encoding };
}

function parseSourceOptions(
  schema: CatalogSource["optionsSchema"],
  options: unknown,
  where: string,
): unknown {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "options"}: ${issue.message}`,
    );
    throw new OmnifeedError("config", `${where}: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/**
 * Stops a run that would write a feed without a setting it needs (the Amazon seller id), before
 * anything is read; validate and explain write no feed and do not need them.
 */
export function checkFeedSettings(run: PreparedRun): void {
  for (const { channel, mapping, feeds } of run.channels) {
    const settings = mapping.settings as Record<string, unknown>;
    for (const feed of feeds) {
      const missing = (feed.needs ?? []).find((key) => settings[key] === undefined);
      if (missing === undefined) continue;
      throw new OmnifeedError(
        "config",
        `${channel.id}: ${missing} is not set (the ${feed.id} feed needs it): add ` +
          `channels.${channel.id}.account.${missing} to omnifeed.config.yaml or pass ` +
          `--set ${channel.id}.${missing}=…`,
      );
    }
  }
}

/** The serialisable description of the build that workers receive. */
export function buildSpecOf(
  run: PreparedRun,
  options: {
    withFeeds: boolean;
    withRecords?: boolean | undefined;
    holds?: ReadonlyMap<string, number> | undefined;
  },
): BuildSpec {
  return {
    source: { format: run.catalog.format, options: run.catalog.options },
    ...(options.withRecords ? { withRecords: true } : {}),
    ...(options.holds && options.holds.size > 0 ? { holds: Object.fromEntries(options.holds) } : {}),
    channels: run.channels.map(({ channel, mappingFile, account, feeds }) => ({
      id: channel.id,
      mappingFile,
      account,
      feeds: options.withFeeds ? feeds.map((feed) => feed.id) : [],
    })),
  };
}

/**
 * Worker threads pay off once a catalog is big enough to amortise their start (each compiles the
 * mappings); below that the single-thread path is faster. The output is the same either way.
 */
export function defaultWorkerCount(fileBytes: number): number {
  if (fileBytes < 8 * 1024 * 1024) return 0;
  return buildThreadCount();
}

/** Build threads for a large build: one per core, up to four (the main thread reads and writes). */
export function buildThreadCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}
