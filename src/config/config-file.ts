import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { CronExpressionParser } from "cron-parser";
import { ChannelIdSchema } from "../core/ids.js";
import { OmnifeedError } from "../core/errors.js";
import { AmazonAccountSchema } from "../channels/amazon/config.js";
import { GoogleAccountSchema } from "../channels/google/config.js";
import { MetaAccountSchema } from "../channels/meta/config.js";
import { didYouMean } from "../core/did-you-mean.js";
import { SOURCE_FORMATS } from "../sources/source.js";

const NAME = /^[A-Za-z0-9._-]+$/;
const ENV_VAR = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name");

/** The kinds of job a schedule may start; the worker's processors (src/jobs) run them. */
export const SCHEDULED_JOB_KINDS = ["import", "build-feeds", "publish", "reconcile"] as const;
export type ScheduledJobKind = (typeof SCHEDULED_JOB_KINDS)[number];

/** `schedules.<name>`: a job and when it runs. */
export const ScheduleSchema = z.strictObject({
  job: z.enum(SCHEDULED_JOB_KINDS),
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
  enabled: z.boolean().default(true),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

/** `lanes.<name>`: how many jobs of the lane one worker process runs at once. */
const LaneSchema = z.strictObject({
  concurrency: z.number().int().min(1).max(64).optional(),
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

const ACCOUNT_SCHEMAS = {
  google: GoogleAccountSchema,
  meta: MetaAccountSchema,
  amazon: AmazonAccountSchema,
} as const;

/** `channels.<id>` in the config file; `account` is validated by the channel's own schema. */
function channelEntry<Account extends z.ZodType>(account: Account) {
  return z.strictObject({
    enabled: z.boolean().default(true),
    mapping: z.string().min(1).optional(),
    feeds: z.array(z.string()).optional(),
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
      file: z.string().min(1).optional(),
      format: z.enum(SOURCE_FORMATS).optional(),
      encoding: z.string().min(1).optional().describe("Text encoding of the file, like --encoding."),
      options: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  channels: z
    .strictObject({
      google: channelEntry(ACCOUNT_SCHEMAS.google).optional(),
      meta: channelEntry(ACCOUNT_SCHEMAS.meta).optional(),
      amazon: channelEntry(ACCOUNT_SCHEMAS.amazon).optional(),
    })
    .optional(),
  output: z
    .strictObject({
      dir: z.string().min(1).optional(),
      gzip: z.boolean().optional(),
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
      workers: z.union([z.literal("auto"), z.number().int().min(0).max(64)]).optional(),
      batch_size: z.number().int().min(1).max(100_000).optional(),
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
    })
    .optional(),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new OmnifeedError("config", `cannot read config file: ${(error as Error).message}`, {
      where: path,
    });
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    const [first] = document.errors;
    const line = first?.linePos?.[0];
    throw new OmnifeedError("config", first?.message ?? "invalid YAML", {
      where: line ? `${path}:${line.line}:${line.col}` : path,
    });
  }
  const parsed = ConfigFileSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const node = issue ? document.getIn(issue.path as (string | number)[], true) : undefined;
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    const position = range ? lineCounter.linePos(range[0]) : undefined;
    const at = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    const hint = issue ? accountKeyHint(issue) : "";
    throw new OmnifeedError("config", `${at}${issue?.message ?? "invalid config"}${hint}`, {
      where: position ? `${path}:${position.line}:${position.col}` : path,
    });
  }
  return resolvePaths(parsed.data, dirname(resolve(path)));
}

// A misspelt account key is the likely mistake of a merchant's first config: name the valid keys.
function accountKeyHint(issue: z.core.$ZodIssue): string {
  const [section, id, field] = issue.path;
  if (issue.code !== "unrecognized_keys" || section !== "channels" || field !== "account") return "";
  const known = Object.keys(ACCOUNT_SCHEMAS[id as keyof typeof ACCOUNT_SCHEMAS]?.shape ?? {});
  const suggestion = issue.keys[0] === undefined ? "" : didYouMean(issue.keys[0], known);
  return `${suggestion}; valid keys: ${known.join(", ") || "none yet"}`;
}

function resolvePaths(config: ConfigFile, base: string): ConfigFile {
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
