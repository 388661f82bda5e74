import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { CronExpressionParser } from "cron-parser";
import { ChannelIdSchema } from "../core/ids.js";
import { OmnifeedError } from "../core/errors.js";
import { AmazonAccountSchema } from "../channels/amazon/config.js";
import { GoogleAccountSchema } from "../channels/google/config.js";
import { MetaAccountSchema } from "../channels/meta/config.js";
import { didYouMean } from "../core/did-you-mean.js";
import { AmazonMarketplaceSchema } from "../marketplaces/amazon/config.js";
import { EbayMarketplaceSchema } from "../marketplaces/ebay/config.js";
import { ShopifyConnectionSchema } from "../sources/shopify/options.js";
import { FILE_FORMATS, STORE_FORMATS } from "../sources/source.js";
import { WooCommerceConnectionSchema } from "../sources/woocommerce/options.js";
import {
  ConfigFileError,
  dottedPath,
  parseConfigYaml,
  sortProblems,
  type ConfigPathKey,
  type ConfigProblem,
  type ConfigYaml,
} from "./config-problems.js";
import { childSchema, unwrapSchema } from "./schema-walk.js";

const NAME = /^[A-Za-z0-9._-]+$/;
const ENV_VAR = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name");

/** The kinds of job a schedule may start; the worker's processors (src/jobs) run them. */
export const SCHEDULED_JOB_KINDS = [
  "import",
  "build-feeds",
  "publish",
  "reconcile",
  "orders-pull",
  "tracking-push",
] as const;
export type ScheduledJobKind = (typeof SCHEDULED_JOB_KINDS)[number];

/** `schedules.<name>`: a job and when it runs. */
export const ScheduleSchema = z.strictObject({
  job: z.enum(SCHEDULED_JOB_KINDS).describe("The job it starts."),
  cron: z
    .string()
    .min(1)
    .refine(
      isCron,
      "not a cron expression (minute hour day-of-month month day-of-week, optional seconds first)",
    )
    .describe('When it runs, e.g. "0 3 * * *" (03:00 every day).'),
  tz: z
    .string()
    .min(1)
    .refine(isTimeZone, "unknown time zone (an IANA name such as Europe/Berlin)")
    .optional()
    .describe("Time zone of the cron expression (default UTC)."),
  channels: z
    .array(ChannelIdSchema)
    .min(1)
    .optional()
    .describe("The channels it covers (default: every enabled channel)."),
  enabled: z.boolean().default(true).describe("false keeps the schedule written down but stopped."),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

/** `lanes.<name>`: how many jobs of the lane one worker process runs at once. */
const LaneSchema = z.strictObject({
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(64)
    .optional()
    .describe("Jobs of this lane one worker process runs at once."),
});

function isCron(text: string): boolean {
  try {
    CronExpressionParser.parse(text, { tz: "UTC" });
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

// ── Stores (issue 9) ────────────────────────────────────────────────────────────────────────────
// The connection blocks are the store sources' own schemas (the store connectors read them too).
const ShopifyStoreSchema = ShopifyConnectionSchema;
const WooCommerceStoreSchema = WooCommerceConnectionSchema;

/** `stores:` — how to reach the merchant's store; `catalog.store` (or `--catalog shopify`) reads from one. */
const StoresSchema = z
  .strictObject({
    shopify: ShopifyStoreSchema.optional().describe(
      "The Shopify shop: Admin API address, version and token.",
    ),
    woocommerce: WooCommerceStoreSchema.optional().describe(
      "The WooCommerce site: REST address and consumer key and secret.",
    ),
    file: z
      .strictObject({
        dir: z
          .string()
          .min(1)
          .optional()
          .describe("The file store's folder: outbox/, orders.csv and inbox/ (default ./store)."),
      })
      .optional()
      .describe(
        "The file store: orders as JSON files and a CSV, tracking from CSV files (docs/stores-file.md).",
      ),
  })
  .describe("The merchant's stores (connection settings; secrets by environment variable or file).");

/** `orders:` — where marketplace orders go and how their SKUs map (docs/orders.md). */
export const OrdersSchema = z
  .strictObject({
    store: z
      .enum(["file", "shopify", "woocommerce"])
      .optional()
      .describe("The store of `stores:` marketplace orders are imported into (default file)."),
    sku_map: z
      .string()
      .min(1)
      .optional()
      .describe(
        "CSV marketplace_sku,store_sku[,marketplace]: for listings whose marketplace SKU differs from the store's.",
      ),
    ledger_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The embedded order ledger (state.backend embedded); default omnifeed-orders.sqlite beside the state file.",
      ),
  })
  .describe("The order pipeline: marketplace orders into the store exactly once, tracking back out.");

/** `catalog.store`: read the catalog from a store of `stores:` instead of a file. */
const CatalogStoreSchema = z
  .enum(STORE_FORMATS)
  .describe("Read the catalog from this store of `stores:` instead of a file, like --catalog shopify.");
// ───────────────────────────────────────────────────────────────────────────────────────────────

// ── Marketplaces (issue 10) ─────────────────────────────────────────────────────────────────────
/** `marketplaces:` — where orders come from and tracking goes (docs/marketplaces.md). */
const MarketplacesSchema = z
  .strictObject({
    amazon: AmazonMarketplaceSchema.optional().describe(
      "Amazon: Orders API 2026-01-01 pull, v0 confirmShipment, ORDER_CHANGE through an EventBridge API destination.",
    ),
    ebay: EbayMarketplaceSchema.optional().describe(
      "eBay: Sell Fulfillment API getOrders poll and createShippingFulfillment.",
    ),
  })
  .describe(
    "The marketplaces whose orders are imported (endpoints, seller, secrets by environment variable or file).",
  );
// ───────────────────────────────────────────────────────────────────────────────────────────────

const ACCOUNT_SCHEMAS = {
  google: GoogleAccountSchema,
  meta: MetaAccountSchema,
  amazon: AmazonAccountSchema,
} as const;

/** `channels.<id>` in the config file; `account` is validated by the channel's own schema. */
function channelEntry<Account extends z.ZodType>(account: Account) {
  return z.strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe("false leaves the channel out of runs without --channel and out of schedules."),
    mapping: z
      .string()
      .min(1)
      .optional()
      .describe("The channel's mapping file (default: the bundled channel-mappings/<channel>.yaml)."),
    feeds: z
      .array(z.string())
      .optional()
      .describe("The feed files export writes for the channel (default: every feed the mapping lists)."),
    account: account.optional().describe("Who sells on the channel, and where (adr/0009)."),
  });
}

/**
 * `omnifeed.config.yaml`: what a merchant would otherwise repeat on every command line. Paths in it
 * are relative to the file. Command-line flags win over it.
 */
export const ConfigFileSchema = z.strictObject({
  catalog: z
    .strictObject({
      file: z.string().min(1).optional().describe("The catalog file, like --catalog."),
      store: CatalogStoreSchema.optional(),
      format: z
        .enum(FILE_FORMATS)
        .optional()
        .describe("The catalog format, like --format (detected when absent)."),
      encoding: z.string().min(1).optional().describe("Text encoding of the file, like --encoding."),
      options: z
        .record(z.string(), z.unknown())
        .optional()
        .describe("Source options, e.g. currency and store_url (like --currency and --store-url)."),
      resume: z
        .boolean()
        .optional()
        .describe(
          "Store catalogs: resume an interrupted read from its last checkpoint (default true; --from-start overrides).",
        ),
    })
    .refine((catalog) => catalog.file === undefined || catalog.store === undefined, {
      message: "give catalog.file or catalog.store, not both",
    })
    .optional(),
  stores: StoresSchema.optional(),
  marketplaces: MarketplacesSchema.optional(),
  orders: OrdersSchema.optional(),
  channels: z
    .strictObject({
      google: channelEntry(ACCOUNT_SCHEMAS.google).optional(),
      meta: channelEntry(ACCOUNT_SCHEMAS.meta).optional(),
      amazon: channelEntry(ACCOUNT_SCHEMAS.amazon).optional(),
    })
    .optional(),
  output: z
    .strictObject({
      dir: z.string().min(1).optional().describe("Where export writes the feeds, like --out."),
      gzip: z.boolean().optional().describe("Write feeds gzipped, like --gzip."),
      max_shrink: z.number().min(0).max(100).optional().describe("Percent, like --max-shrink."),
      allow_empty: z.boolean().optional().describe("Like --allow-empty."),
    })
    .optional(),
  state: z
    .strictObject({
      backend: z
        .enum(["embedded", "redis"])
        .optional()
        .describe("embedded: one SQLite file (default); redis: shared by workers, at REDIS_URL."),
      file: z.string().min(1).optional().describe("The embedded state file, like --state-file."),
      workspace: z
        .string()
        .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, dot, dash or underscore")
        .optional()
        .describe("Keeps this catalog's publishing state apart from others in one store."),
      lock_ttl_ms: z
        .number()
        .int()
        .min(500)
        .optional()
        .describe(
          "How long a channel account's publish lock lasts unrenewed: a killed publisher's lock lapses after this (default 30000).",
        ),
      lock_wait_ms: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe(
          "How long a publish waits for another one holding the account's lock before failing with conflict (default 30000).",
        ),
    })
    .optional(),
  publish: z
    .strictObject({
      max_shrink: z
        .number()
        .min(0)
        .max(100)
        .optional()
        .describe("Percent of the published items one publish may delete, like --max-shrink."),
    })
    .optional(),
  build: z
    .strictObject({
      workers: z
        .union([z.literal("auto"), z.number().int().min(0).max(64)])
        .optional()
        .describe("Build threads, like --workers: 0 builds on the main thread (default auto)."),
      batch_size: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .optional()
        .describe("Records per batch, like --batch-size (default 100)."),
      chunk_batches: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe(
          "Batches per chunk job when workers build a feed together (default 500: 50,000 variants at batch_size 100).",
        ),
    })
    .optional(),
  schedules: z
    .record(z.string().regex(NAME, "letters, digits, dot, dash or underscore"), ScheduleSchema)
    .optional()
    .describe("Jobs the workers run on their own, by name; `omnifeed schedule sync` applies changes."),
  lanes: z
    .strictObject({
      bulk: LaneSchema.optional().describe("Catalog work: import, feed builds, publish, reconcile."),
      fast: LaneSchema.optional().describe("Orders, tracking and stock: never waits behind bulk work."),
    })
    .optional(),
  jobs: z
    .strictObject({
      attempts: z.number().int().min(1).max(100).optional().describe("Tries per job (default 5)."),
      backoff_ms: z
        .number()
        .int()
        .min(100)
        .optional()
        .describe("First retry delay of a transient failure, doubled each time (default 5000)."),
      keep_runs: z
        .number()
        .int()
        .min(1)
        .max(10_000)
        .optional()
        .describe("Finished runs kept per job for status and the console (default 50)."),
      lock_ms: z
        .number()
        .int()
        .min(1_000)
        .optional()
        .describe(
          "How long a job's lock lasts unrenewed; a killed worker's job is taken over after about this long (default 30000).",
        ),
    })
    .optional(),
  server: z
    .strictObject({
      host: z.string().min(1).optional().describe("Address to listen on (default 127.0.0.1)."),
      port: z.number().int().min(0).max(65_535).optional().describe("Port (default 8080)."),
      feeds_dir: z
        .string()
        .min(1)
        .optional()
        .describe("Folder whose published feeds are served at /feeds/ (default output.dir)."),
      auth: z
        .strictObject({
          token_env: ENV_VAR.optional().describe("Environment variable holding the bearer token."),
          token_file: z.string().min(1).optional().describe("File holding the bearer token."),
          basic_user: z.string().min(1).optional().describe("User name for HTTP basic auth."),
          basic_password_env: ENV_VAR.optional(),
          basic_password_file: z.string().min(1).optional(),
        })
        .optional()
        .describe("Who may read hosted feeds, the console and /admin; secrets by env or file only."),
      webhooks: z
        .strictObject({
          body_limit_bytes: z
            .number()
            .int()
            .min(1_024)
            .max(16 * 1024 * 1024)
            .optional()
            .describe(
              "Largest webhook body accepted, 413 beyond (default 1 MiB for stores, 256 KiB for marketplace notifications).",
            ),
          dedupe_window_s: z
            .number()
            .int()
            .min(60)
            .optional()
            .describe(
              "How long a delivery id is remembered: a repeat within it is answered 200 and not queued again (default 259200, 72 h).",
            ),
        })
        .optional()
        .describe("The webhook receivers at /webhooks/<source> (docs/webhooks.md)."),
    })
    .optional(),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/**
 * Reads and validates omnifeed.config.yaml, paths resolved against its folder. Every schema
 * problem is reported at once, each with its dotted path and `file:line:col`, in one
 * {@link ConfigFileError} (kind `config`). Whether the files and secrets it names exist is not
 * checked here (commands that need them say so when they start): `omnifeed config check` does.
 */
export async function loadConfigFile(path: string): Promise<ConfigFile> {
  const { yaml, problems } = await readConfigYaml(path);
  if (problems.length > 0) throw new ConfigFileError(problems);
  const parsed = ConfigFileSchema.safeParse(yaml.document.toJS() ?? {});
  if (!parsed.success) throw new ConfigFileError(configSchemaProblems(parsed.error.issues, yaml));
  return resolvePaths(parsed.data, dirname(resolve(path)));
}

/**
 * The config file parsed as YAML, with its syntax problems (every one). A file that cannot be
 * read is an error of its own: there is nothing to check.
 */
export async function readConfigYaml(path: string): Promise<ReturnType<typeof parseConfigYaml>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new OmnifeedError("config", `cannot read config file: ${(error as Error).message}`, {
      where: path,
    });
  }
  return parseConfigYaml(text, path);
}

/** zod's issues as located problems, in file order; unknown keys name the likely one. */
export function configSchemaProblems(
  issues: readonly z.core.$ZodIssue[],
  yaml: ConfigYaml,
  prefix: readonly ConfigPathKey[] = [],
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) addIssue(issue, prefix, yaml, out);
  return sortProblems(out);
}

function addIssue(
  issue: z.core.$ZodIssue,
  prefix: readonly ConfigPathKey[],
  yaml: ConfigYaml,
  out: ConfigProblem[],
): void {
  const path = [...prefix, ...(issue.path as ConfigPathKey[])];
  const problem = (message: string, where = yaml.where(path)): void => {
    out.push({ severity: "error", path: dottedPath(path), message, where });
  };
  switch (issue.code) {
    case "unrecognized_keys":
      for (const key of issue.keys) {
        const known = knownKeysAt(path);
        problem(
          `unknown key "${key}"${didYouMean(key, known)}${accountKeysHint(path, known)}`,
          yaml.where([...path, key], { key: true }),
        );
      }
      return;
    case "invalid_union": {
      // The branch that missed least says what was meant; a value of the wrong type for every
      // branch gets the list of what each would take.
      const scores = issue.errors.map(branchScore);
      const best = Math.min(...scores);
      const branch = issue.errors[scores.indexOf(best)];
      if (branch && best !== Number.POSITIVE_INFINITY) {
        for (const inner of branch) addIssue(inner, path, yaml, out);
        return;
      }
      const expected = issue.errors.flat().flatMap((inner) => {
        if (inner.code === "invalid_type") return [inner.expected];
        if (inner.code === "invalid_value") return inner.values.map((value) => JSON.stringify(value));
        return [];
      });
      problem(expected.length > 0 ? `expected ${[...new Set(expected)].join(" or ")}` : issue.message);
      return;
    }
    case "invalid_key":
      problem(
        `key "${String(path[path.length - 1])}": ${issue.issues.map((inner) => inner.message).join("; ")}`,
        yaml.where(path, { key: true }),
      );
      return;
    case "invalid_type":
    case "invalid_value":
      // zod says "expected string, received undefined" for a key that is not there at all.
      if (path.length > 0 && !yaml.document.hasIn(path)) {
        const expected = issue.message
          .replace(/^Invalid (?:input|option): /, "")
          .replace(/, received undefined$/, "");
        problem(`missing (${expected})`);
        return;
      }
      problem(issue.message);
      return;
    default:
      problem(issue.message);
  }
}

/** How badly a union branch missed: a wrong type at its root rules it out. */
function branchScore(issues: readonly z.core.$ZodIssue[]): number {
  let total = 0;
  for (const issue of issues) {
    if ((issue.code === "invalid_type" || issue.code === "invalid_value") && issue.path.length === 0)
      return Number.POSITIVE_INFINITY;
    total += issue.code === "unrecognized_keys" ? issue.keys.length : 1;
  }
  return total;
}

// A misspelt account key is the likely mistake of a merchant's first config: name the valid keys.
function accountKeysHint(path: readonly ConfigPathKey[], known: readonly string[]): string {
  const [section, , field] = path;
  if (section !== "channels" || field !== "account" || path.length !== 3) return "";
  return `; valid keys: ${known.join(", ") || "none yet"}`;
}

/** The keys the schema knows at `path` (an object's shape), for did-you-mean hints. */
function knownKeysAt(path: readonly ConfigPathKey[]): string[] {
  let schema: z.core.$ZodType | undefined = ConfigFileSchema;
  for (const key of path) {
    schema = schema && childSchema(unwrapSchema(schema), key);
  }
  const def = schema && unwrapSchema(schema)._zod.def;
  return def?.type === "object" ? Object.keys((def as z.core.$ZodObjectDef).shape) : [];
}

/** The config with every path in it made absolute against `base`, the config file's folder. */
export function resolvePaths(config: ConfigFile, base: string): ConfigFile {
  const at = (path: string | undefined): string | undefined =>
    path === undefined ? undefined : resolve(base, path);
  const { google, meta, amazon } = config.channels ?? {};
  return {
    ...config,
    catalog: config.catalog && { ...config.catalog, file: at(config.catalog.file) },
    channels: {
      ...(google && {
        google: { ...google, mapping: at(google.mapping), account: filesAt(google.account, base) },
      }),
      ...(meta && { meta: { ...meta, mapping: at(meta.mapping), account: filesAt(meta.account, base) } }),
      ...(amazon && {
        amazon: { ...amazon, mapping: at(amazon.mapping), account: filesAt(amazon.account, base) },
      }),
    },
    stores: config.stores && {
      ...config.stores,
      file: config.stores.file && { ...config.stores.file, dir: at(config.stores.file.dir) },
      ...(config.stores.shopify && { shopify: filesAt(config.stores.shopify, base) }),
      ...(config.stores.woocommerce && { woocommerce: filesAt(config.stores.woocommerce, base) }),
    },
    marketplaces: config.marketplaces && {
      ...(config.marketplaces.amazon && { amazon: filesAt(config.marketplaces.amazon, base) }),
      ...(config.marketplaces.ebay && { ebay: filesAt(config.marketplaces.ebay, base) }),
    },
    orders: config.orders && {
      ...config.orders,
      sku_map: at(config.orders.sku_map),
      ledger_file: at(config.orders.ledger_file),
    },
    output: config.output && { ...config.output, dir: at(config.output.dir) },
    state: config.state && { ...config.state, file: at(config.state.file) },
    server: config.server && {
      ...config.server,
      feeds_dir: at(config.server.feeds_dir),
      auth: config.server.auth && {
        ...config.server.auth,
        token_file: at(config.server.auth.token_file),
        basic_password_file: at(config.server.auth.basic_password_file),
      },
    },
  };
}

/** Account keys naming a file (`credentials_file`, `access_token_file`…) are relative to the config file too. */
function filesAt<T extends Record<string, unknown> | undefined>(account: T, base: string): T {
  if (!account) return account;
  const resolved: Record<string, unknown> = { ...account };
  for (const [key, value] of Object.entries(account)) {
    if (key.endsWith("_file") && typeof value === "string") resolved[key] = resolve(base, value);
  }
  return resolved as T;
}
