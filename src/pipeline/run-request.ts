import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { redisUrlFromEnv } from "../config/env.js";
import { EMBEDDED_STATE_FILE } from "../sync/state-files.js";
import { DEFAULT_LOCK_TTL_MS, DEFAULT_LOCK_WAIT_MS, type LockTiming } from "../sync/state-lock.js";
import { z } from "zod";
import { parseAccountFlags, resolveAccount } from "./account-settings.js";
import type { ConfigFile } from "../config/config-file.js";
import { loadConfigFile } from "../config/config-file.js";
import { OmnifeedError } from "../core/errors.js";
import type { ChannelId } from "../core/ids.js";
import { ChannelIdSchema } from "../core/ids.js";
import type { CatalogRequest, ChannelRequest } from "./plan.js";
import { isStoreFormat } from "../sources/registry.js";
import { FILE_FORMATS, type StoreFormat } from "../sources/source.js";
import { SPOOL_DIR_NAME } from "./store-spool.js";
import { parseCatalogEncoding } from "../sources/text-encoding.js";

/** Flags shared by export, validate and explain, as commander hands them over. */
export const CommonFlagsSchema = z.object({
  config: z.string().optional(),
  catalog: z.string().optional(),
  format: z.enum(FILE_FORMATS).optional(),
  encoding: z.string().optional(),
  channel: z.string().optional(),
  mapping: z.array(z.string()).default([]),
  set: z.array(z.string()).default([]),
  currency: z.string().optional(),
  storeUrl: z.string().optional(),
  /** `--from-start`: a store catalog is read from the start even after an interrupted read. */
  fromStart: z.boolean().optional(),
  workers: z.string().optional(),
  batchSize: z.string().optional(),
  json: z.boolean().default(false),
  quiet: z.boolean().default(false),
});
export type CommonFlags = z.infer<typeof CommonFlagsSchema>;

export const ExportFlagsSchema = CommonFlagsSchema.extend({
  out: z.string().optional(),
  feeds: z.string().optional(),
  gzip: z.boolean().optional(),
  maxShrink: z.string().optional(),
  force: z.boolean().default(false),
  allowEmpty: z.boolean().optional(),
  strict: z.boolean().default(false),
});
export type ExportFlags = z.infer<typeof ExportFlagsSchema>;

/** Flags of `publish` and `reconcile`. */
export const PublishFlagsSchema = CommonFlagsSchema.extend({
  dryRun: z.boolean().default(false),
  fix: z.boolean().default(false),
  force: z.boolean().default(false),
  maxShrink: z.string().optional(),
  state: z.enum(["embedded", "redis"]).optional(),
  stateFile: z.string().optional(),
  workspace: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, dot, dash or underscore")
    .optional(),
});
export type PublishFlags = z.infer<typeof PublishFlagsSchema>;

/**
 * Where publishing state lives: one embedded file, or Redis (shared by workers); and how long a
 * channel account's publish lock outlives a publisher that stopped renewing it, and how long a
 * second publish waits for it.
 */
export type StateChoice = (
  | { backend: "embedded"; file: string; workspace: string }
  | { backend: "redis"; url: string; workspace: string }
) & { lock: LockTiming };

export interface PublishRun extends CommonRun {
  dryRun: boolean;
  fix: boolean;
  force: boolean;
  maxShrink: number;
  state: StateChoice;
}

export interface CommonRun {
  catalog: CatalogRequest;
  channels: ChannelRequest[];
  workers: number | undefined;
  batchSize: number | undefined;
}

export interface ExportRun extends CommonRun {
  outDir: string;
  feeds: string[] | undefined;
  gzip: boolean;
  maxShrink: number;
  force: boolean;
  allowEmpty: boolean;
  strict: boolean;
}

/** Parses a commander options object; a bad flag is a usage error naming the flag. */
export function parseFlags<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const flag = String(issue?.path[0] ?? "").replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  throw new OmnifeedError("config", `--${flag}: ${issue?.message ?? "invalid value"}`);
}

export async function resolveCommonRun(flags: CommonFlags): Promise<CommonRun> {
  return commonRunOf(flags, await configOf(flags));
}

export async function resolveExportRun(flags: ExportFlags): Promise<ExportRun> {
  const config = await configOf(flags);
  const common = commonRunOf(flags, config);
  const outDir = flags.out ? resolve(flags.out) : config.output?.dir;
  if (!outDir)
    throw new OmnifeedError("config", "no output directory: pass --out <dir> or set output.dir in --config");
  // An export spools a store's catalog beside the feeds it writes (adr/0025).
  if (common.catalog.store !== undefined) common.catalog.spool.dir = join(outDir, SPOOL_DIR_NAME);
  const maxShrinkPercent =
    flags.maxShrink !== undefined ? parsePercent(flags.maxShrink) : (config.output?.max_shrink ?? 20);
  return {
    ...common,
    outDir,
    feeds: flags.feeds ? splitList(flags.feeds) : undefined,
    gzip: flags.gzip ?? config.output?.gzip ?? false,
    maxShrink: maxShrinkPercent / 100,
    force: flags.force,
    allowEmpty: flags.allowEmpty ?? config.output?.allow_empty ?? false,
    strict: flags.strict,
  };
}

export async function resolvePublishRun(flags: PublishFlags): Promise<PublishRun> {
  const config = await configOf(flags);
  const common = commonRunOf(flags, config);
  const maxShrinkPercent =
    flags.maxShrink !== undefined
      ? parsePercent(flags.maxShrink)
      : (config.publish?.max_shrink ?? config.output?.max_shrink ?? 20);
  const workspace = flags.workspace ?? config.state?.workspace ?? "default";
  const backend = flags.state ?? config.state?.backend ?? "embedded";
  const lock = {
    ttlMs: config.state?.lock_ttl_ms ?? DEFAULT_LOCK_TTL_MS,
    waitMs: config.state?.lock_wait_ms ?? DEFAULT_LOCK_WAIT_MS,
  };
  let state: StateChoice;
  if (backend === "redis") {
    const url = redisUrlFromEnv();
    if (!url) throw new OmnifeedError("config", "state redis: set REDIS_URL (e.g. redis://127.0.0.1:6379)");
    state = { backend, url, workspace, lock };
  } else {
    const file = flags.stateFile
      ? resolve(flags.stateFile)
      : (config.state?.file ?? join(config.output?.dir ?? process.cwd(), EMBEDDED_STATE_FILE));
    state = { backend, file, workspace, lock };
  }
  return {
    ...common,
    dryRun: flags.dryRun,
    fix: flags.fix,
    force: flags.force,
    maxShrink: maxShrinkPercent / 100,
    state,
  };
}

async function configOf(flags: CommonFlags): Promise<ConfigFile> {
  return flags.config ? loadConfigFile(flags.config) : {};
}

/** The catalog a command names (`--catalog`, `catalog:` of the config), without channels: `catalog check`. */
export async function resolveCatalogRequest(flags: CommonFlags): Promise<CatalogRequest> {
  return catalogRequestOf(flags, await configOf(flags));
}

function catalogRequestOf(flags: CommonFlags, config: ConfigFile): CatalogRequest {
  const options = {
    ...config.catalog?.options,
    ...(flags.currency ? { currency: flags.currency } : {}),
    ...(flags.storeUrl ? { store_url: flags.storeUrl } : {}),
  };
  const store = storeOf(flags, config);
  const file = flags.catalog ? resolve(flags.catalog) : config.catalog?.file;
  if (store === undefined && !file) {
    throw new OmnifeedError(
      "config",
      "no catalog: pass --catalog <file> (or --catalog shopify|woocommerce) or set catalog.file or catalog.store in --config",
    );
  }
  return store === undefined
    ? {
        file: file!,
        format: flags.format ?? config.catalog?.format,
        options,
        encoding: encodingOf(flags, config),
      }
    : storeCatalogOf(store, flags, config, options);
}

function commonRunOf(flags: CommonFlags, config: ConfigFile): CommonRun {
  const catalog = catalogRequestOf(flags, config);

  const mappings = parseMappingFlags(flags.mapping);
  const accounts = parseAccountFlags(flags.set);
  const configured = Object.entries(config.channels ?? {})
    .filter(([, channel]) => channel.enabled)
    .map(([id]) => id as ChannelId);
  const ids = flags.channel ? parseChannelList(flags.channel) : configured;
  if (ids.length === 0) {
    throw new OmnifeedError(
      "config",
      "no channel: pass --channel google,meta,amazon or list channels in --config",
    );
  }
  const channels = ids.map((id) => ({
    id,
    mappingFile: mappings.get(id) ?? config.channels?.[id]?.mapping,
    feeds: config.channels?.[id]?.feeds,
    account: resolveAccount(id, config.channels?.[id]?.account, accounts.get(id)),
  }));

  return {
    catalog,
    channels,
    workers: parseWorkers(flags.workers ?? config.build?.workers),
    batchSize: flags.batchSize ? parseCount("--batch-size", flags.batchSize) : config.build?.batch_size,
  };
}

/**
 * The store a run reads its catalog from: `--catalog shopify` / `--catalog woocommerce` (the bare
 * word names the store; a file of that name is reached as `./shopify`), else `catalog.store` unless
 * `--catalog` names a file.
 */
function storeOf(flags: CommonFlags, config: ConfigFile): StoreFormat | undefined {
  if (flags.catalog !== undefined) return isStoreFormat(flags.catalog) ? flags.catalog : undefined;
  return config.catalog?.store;
}

function storeCatalogOf(
  store: StoreFormat,
  flags: CommonFlags,
  config: ConfigFile,
  catalogOptions: Record<string, unknown>,
): CatalogRequest {
  const connection = config.stores?.[store];
  if (connection === undefined) {
    throw new OmnifeedError(
      "config",
      `the catalog is read from ${store} but the config has no stores.${store} block: add its connection to omnifeed.config.yaml (docs/configuration.md)`,
      flags.config ? { where: flags.config } : undefined,
    );
  }
  if (flags.format !== undefined) {
    throw new OmnifeedError(
      "config",
      `--format ${flags.format} names a file format; the catalog is read from ${store}`,
    );
  }
  return {
    store,
    options: { ...connection, ...catalogOptions },
    spool: {
      // Export puts it beside the feeds; other commands under output.dir, or the system temp folder.
      dir: join(config.output?.dir ?? privateTempDir(flags.config), SPOOL_DIR_NAME),
      resume: flags.fromStart ? false : (config.catalog?.resume ?? true),
    },
  };
}

// One folder per installation (its config file), so two installations on a machine never share a spool.
function privateTempDir(configFile: string | undefined): string {
  const owner = configFile ? resolve(configFile) : process.cwd();
  return join(tmpdir(), `omnifeed-${createHash("sha256").update(owner).digest("hex").slice(0, 12)}`);
}

function encodingOf(flags: CommonFlags, config: ConfigFile): string | undefined {
  if (flags.encoding !== undefined) return parseCatalogEncoding(flags.encoding);
  const configured = config.catalog?.encoding;
  return configured === undefined ? undefined : parseCatalogEncoding(configured, "catalog.encoding");
}

export function parseChannelList(text: string): ChannelId[] {
  return splitList(text).map((id) => {
    const parsed = ChannelIdSchema.safeParse(id);
    if (!parsed.success) {
      throw new OmnifeedError(
        "config",
        `--channel: unknown channel "${id}" (known: ${ChannelIdSchema.options.join(", ")})`,
      );
    }
    return parsed.data;
  });
}

function parseMappingFlags(values: readonly string[]): Map<ChannelId, string> {
  const mappings = new Map<ChannelId, string>();
  for (const value of values) {
    const at = value.indexOf("=");
    const channel = ChannelIdSchema.safeParse(value.slice(0, at));
    if (at <= 0 || !channel.success) {
      throw new OmnifeedError(
        "config",
        `--mapping expects <channel>=<file>, e.g. google=my-google.yaml; got "${value}"`,
      );
    }
    mappings.set(channel.data, resolve(value.slice(at + 1)));
  }
  return mappings;
}

function parseWorkers(value: string | number | undefined): number | undefined {
  if (value === undefined || value === "auto") return undefined;
  return typeof value === "number" ? value : parseCount("--workers", value, 0);
}

function parseCount(flag: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new OmnifeedError("config", `${flag} expects a whole number ≥ ${min}, got "${text}"`);
  }
  return value;
}

function parsePercent(text: string): number {
  const value = Number(text.trim().replace(/%$/, ""));
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    throw new OmnifeedError("config", `--max-shrink expects a percentage between 0 and 100, got "${text}"`);
  }
  return value;
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}
