import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import type { ChannelId } from "../core/ids.js";
import { isOmnifeedError } from "../core/errors.js";
import {
  ConfigFileSchema,
  configSchemaProblems,
  readConfigYaml,
  resolvePaths,
  type ConfigFile,
  type Schedule,
} from "./config-file.js";
import {
  dottedPath,
  sortProblems,
  type ConfigPathKey,
  type ConfigProblem,
  type ConfigSeverity,
  type ConfigYaml,
} from "./config-problems.js";
import { childSchema, unwrapSchema } from "./schema-walk.js";
import { envValue } from "./env.js";

/** What `omnifeed config check` found in a config file. */
export interface ConfigCheckReport {
  file: string;
  /** No errors (warnings allowed). */
  ok: boolean;
  errors: number;
  warnings: number;
  /** Every problem, in file order. */
  problems: ConfigProblem[];
  /** What the file describes; absent when it could not be read or parsed. */
  summary: ConfigSummary | undefined;
}

/** The installation in numbers, for the `ok:` line. */
export interface ConfigSummary {
  schedules: number;
  enabledSchedules: number;
  /** Enabled channels. */
  channels: ChannelId[];
  /** Enabled channels with an `account`. */
  accounts: ChannelId[];
  server: { auth: ("token" | "basic")[] } | undefined;
}

export interface ConfigCheckOptions {
  /** Reads an environment variable (default: the process environment through config/env.ts). */
  lookupEnv?: (name: string) => string | undefined;
}

/** Jobs that talk to a channel's API and so need its account. */
const ACCOUNT_JOBS: readonly Schedule["job"][] = ["publish", "reconcile"];

/**
 * Checks a config file beyond what loading it checks: the schema (every problem, as
 * `loadConfigFile` reports them), then what only the installation can tell — files and secrets
 * that are missing, schedules naming channels that are not there, a server nobody can sign in
 * to, schedules that repeat each other. Never throws for a problem in the file; the report says.
 *
 * A section with schema errors is left out of the later checks, so one typo does not hide the
 * rest of the file's problems and does not cause follow-on ones.
 */
export async function checkConfigFile(
  path: string,
  options: ConfigCheckOptions = {},
): Promise<ConfigCheckReport> {
  const file = resolve(path);
  let parsed: Awaited<ReturnType<typeof readConfigYaml>>;
  try {
    parsed = await readConfigYaml(file);
  } catch (error) {
    if (!isOmnifeedError(error, "config")) throw error;
    return report(file, [{ severity: "error", path: "", message: reasonOf(error), where: file }], undefined);
  }
  const { yaml } = parsed;
  if (parsed.problems.length > 0) return report(file, parsed.problems, undefined);

  const raw: unknown = yaml.document.toJS() ?? {};
  const full = ConfigFileSchema.safeParse(raw);
  const problems = full.success ? [] : configSchemaProblems(full.error.issues, yaml);
  const { config, dropped } = full.success ? { config: full.data, dropped: new Set<string>() } : salvage(raw);
  const resolved = resolvePaths(config, dirname(file));
  const checks = new InstallationChecks(yaml, resolved, dropped, options.lookupEnv ?? envValue);
  problems.push(...(await checks.run()));
  return report(file, problems, summaryOf(resolved));
}

function reasonOf(error: Error & { where?: string | undefined }): string {
  const prefix = error.where ? `${error.where}: ` : "";
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

function report(
  file: string,
  problems: readonly ConfigProblem[],
  summary: ConfigSummary | undefined,
): ConfigCheckReport {
  const sorted = sortProblems(problems);
  const errors = sorted.filter((problem) => problem.severity === "error").length;
  return { file, ok: errors === 0, errors, warnings: sorted.length - errors, problems: sorted, summary };
}

/**
 * What of a file that fails the schema passes on its own: every object keeps the keys whose
 * values pass (recursively), and loses itself when what is left still fails (a required key was
 * bad); a record (the schedules) keeps each entry that passes as a whole. `dropped` lists the
 * dotted paths left out, so the later checks can stay silent about them instead of guessing.
 */
function salvage(raw: unknown): { config: ConfigFile; dropped: Set<string> } {
  const dropped = new Set<string>();
  const pruned = prune(ConfigFileSchema, raw, [], dropped);
  const parsed = ConfigFileSchema.safeParse(pruned === DROP ? {} : pruned);
  return { config: parsed.success ? parsed.data : {}, dropped };
}

const DROP = Symbol("dropped");

function prune(
  schema: z.core.$ZodType,
  value: unknown,
  path: readonly ConfigPathKey[],
  dropped: Set<string>,
): unknown {
  if (z.safeParse(schema, value).success) return value;
  const inner = unwrapSchema(schema);
  if (inner._zod.def.type === "object" && isPlainObject(value)) {
    const kept: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      const child = childSchema(inner, key);
      const result = child ? prune(child, entry, [...path, key], dropped) : DROP;
      if (result !== DROP) kept[key] = result;
      else if (child) dropped.add(dottedPath([...path, key]));
    }
    if (z.safeParse(schema, kept).success) return kept;
  } else if (inner._zod.def.type === "record" && isPlainObject(value)) {
    const kept: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (z.safeParse(schema, { [key]: entry }).success) kept[key] = entry;
      else dropped.add(dottedPath([...path, key]));
    }
    return kept;
  }
  dropped.add(dottedPath(path));
  return DROP;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const CHANNEL_IDS: readonly ChannelId[] = ["google", "meta", "amazon"];

/** The checks that need more than the schema: the file system, the environment, cross-references. */
class InstallationChecks {
  private readonly problems: ConfigProblem[] = [];

  constructor(
    private readonly yaml: ConfigYaml,
    private readonly config: ConfigFile,
    private readonly dropped: ReadonlySet<string>,
    private readonly lookupEnv: (name: string) => string | undefined,
  ) {}

  async run(): Promise<ConfigProblem[]> {
    await this.catalogFile();
    await this.channels();
    await this.server();
    this.schedules();
    return this.problems;
  }

  /** True when the schema check left out `path` or a part of it: later checks do not guess about it. */
  private unsure(...path: ConfigPathKey[]): boolean {
    const prefix = dottedPath(path);
    const within = (inner: string, outer: string): boolean =>
      outer === "" || inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
    for (const entry of this.dropped) {
      if (within(prefix, entry) || within(entry, prefix)) return true;
    }
    return false;
  }

  private add(
    severity: ConfigSeverity,
    path: readonly ConfigPathKey[],
    message: string,
    options: { key?: boolean } = {},
  ): void {
    const where = this.yaml.where(path, options);
    this.problems.push({ severity, path: dottedPath(path), message, where });
  }

  private async catalogFile(): Promise<void> {
    const store = this.config.catalog?.store;
    if (store !== undefined && this.config.stores?.[store] === undefined && !this.unsure("stores")) {
      this.add("error", ["catalog", "store"], `no stores.${store} block: the store's connection is missing`);
    }
    const file = this.config.catalog?.file;
    if (file === undefined) return;
    const problem = await fileProblem(file);
    if (problem) this.add("error", ["catalog", "file"], problem);
  }

  private async channels(): Promise<void> {
    for (const id of CHANNEL_IDS) {
      const channel = this.config.channels?.[id];
      if (!channel) continue;
      // A disabled channel is not used until it is enabled again: tell, but do not fail.
      const severity: ConfigSeverity = channel.enabled ? "error" : "warning";
      if (channel.mapping !== undefined) {
        const problem = await fileProblem(channel.mapping);
        if (problem) this.add(severity, ["channels", id, "mapping"], problem);
      }
      for (const [key, value] of Object.entries(channel.account ?? {})) {
        if (typeof value !== "string") continue;
        await this.secret(severity, ["channels", id, "account", key], key, value);
      }
    }
  }

  /** A `*_env` key must name a variable that is set; a `*_file` key a file that can be read. */
  private async secret(
    severity: ConfigSeverity,
    path: readonly ConfigPathKey[],
    key: string,
    value: string,
  ): Promise<void> {
    if (key.endsWith("_env")) {
      // An empty variable counts as unset, as when the secret is read (config/env.ts).
      if ((this.lookupEnv(value) ?? "") === "")
        this.add(severity, path, `environment variable ${value} is not set`);
    } else if (key.endsWith("_file")) {
      const problem = await fileProblem(value);
      if (problem) this.add(severity, path, problem);
    }
  }

  private async server(): Promise<void> {
    const server = this.config.server;
    if (!server) return;
    const auth = server.auth ?? {};
    const token = auth.token_env !== undefined || auth.token_file !== undefined;
    const password = auth.basic_password_env !== undefined || auth.basic_password_file !== undefined;
    const authPath = server.auth ? ["server", "auth"] : ["server"];
    if (this.unsure("server", "auth")) {
      // A bad auth key was reported by the schema check; what is left says nothing more.
    } else if (!token && !password && auth.basic_user === undefined) {
      this.add(
        "error",
        authPath,
        "no auth: hosted feeds, the console and /admin need token_env or token_file, or basic_user with basic_password_env or basic_password_file",
      );
    } else if (auth.basic_user !== undefined && !password) {
      this.add("error", authPath, "basic_user needs basic_password_env or basic_password_file");
    } else if (password && auth.basic_user === undefined) {
      this.add("error", authPath, "a basic password needs basic_user");
    }
    for (const [key, value] of Object.entries(auth)) {
      if (key === "basic_user" || typeof value !== "string") continue;
      await this.secret("error", ["server", "auth", key], key, value);
    }
  }

  private schedules(): void {
    const schedules = Object.entries(this.config.schedules ?? {});
    const enabled = CHANNEL_IDS.filter((id) => this.config.channels?.[id]?.enabled === true);
    const seen = new Map<string, string>();
    const needCatalog: string[] = [];
    for (const [name, schedule] of schedules) {
      const at = ["schedules", name];
      // A disabled schedule never fires: what would break it is a warning until it is enabled.
      const severity: ConfigSeverity = schedule.enabled ? "error" : "warning";
      if (schedule.enabled) needCatalog.push(name);
      const covered = schedule.channels ?? enabled;
      for (const [index, id] of (schedule.channels ?? []).entries()) {
        const channel = this.config.channels?.[id];
        if (this.unsure("channels", id)) continue;
        if (!channel)
          this.add(severity, [...at, "channels", index], `channel ${id} is not configured under channels`);
        else if (!channel.enabled)
          this.add(
            severity,
            [...at, "channels", index],
            `channel ${id} is disabled (channels.${id}.enabled)`,
          );
      }
      // An import reads the catalog only; the other jobs work per channel.
      if (schedule.job !== "import" && covered.length === 0) {
        this.add(
          severity,
          [...at, "job"],
          `${schedule.job} covers every enabled channel, and none is enabled`,
        );
      } else if (ACCOUNT_JOBS.includes(schedule.job)) {
        this.accounts(severity, at, schedule, covered);
      }
      if (schedule.enabled) {
        const key = [
          schedule.job,
          [...covered].sort().join(","),
          normalCron(schedule.cron),
          schedule.tz ?? "UTC",
        ].join("|");
        const twin = seen.get(key);
        if (twin === undefined) seen.set(key, name);
        else
          this.add(
            "warning",
            at,
            `same job, channels, cron and time zone as schedule ${twin}: it runs twice`,
            { key: true },
          );
      }
    }
    if (
      needCatalog.length > 0 &&
      !this.unsure("catalog", "file") &&
      this.config.catalog?.file === undefined &&
      this.config.catalog?.store === undefined
    ) {
      this.add(
        "error",
        this.config.catalog ? ["catalog"] : [],
        `no catalog.file (nor catalog.store), which scheduled jobs read (${needCatalog.join(", ")})`,
      );
    }
  }

  /** A publish or reconcile job talks to each channel it covers through that channel's account. */
  private accounts(
    severity: ConfigSeverity,
    at: readonly ConfigPathKey[],
    schedule: Schedule,
    covered: readonly ChannelId[],
  ): void {
    const without = covered.filter(
      // A channel that is not configured at all was reported already.
      (id) =>
        this.config.channels?.[id] !== undefined &&
        this.config.channels[id].account === undefined &&
        !this.unsure("channels", id),
    );
    if (without.length === 0) return;
    if (without.length === covered.length) {
      this.add(
        severity,
        [...at, schedule.channels ? "channels" : "job"],
        `${schedule.job} needs a channel account, and ${covered.join(", ")} ${covered.length === 1 ? "has" : "have"} none (channels.<id>.account)`,
      );
      return;
    }
    for (const id of without) {
      const index = schedule.channels?.indexOf(id) ?? -1;
      if (index >= 0) {
        this.add(
          severity,
          [...at, "channels", index],
          `${schedule.job} needs channels.${id}.account, which is not set`,
        );
      } else {
        this.add(
          "warning",
          [...at, "job"],
          `${schedule.job} covers every enabled channel, and ${id} has no account: it will fail there`,
        );
      }
    }
  }
}

function normalCron(cron: string): string {
  return cron.trim().split(/\s+/).join(" ");
}

/** Why a file named in the config cannot be used, or `undefined` when it can be read. */
async function fileProblem(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return `${file} is not a file`;
    await access(file, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return `${file} does not exist`;
    return `cannot read ${file}: ${typeof code === "string" ? code : "unreadable"}`;
  }
}

function summaryOf(config: ConfigFile): ConfigSummary {
  const schedules = Object.values(config.schedules ?? {});
  const channels = CHANNEL_IDS.filter((id) => config.channels?.[id]?.enabled === true);
  const auth = config.server?.auth;
  return {
    schedules: schedules.length,
    enabledSchedules: schedules.filter((schedule) => schedule.enabled).length,
    channels,
    accounts: channels.filter((id) => config.channels?.[id]?.account !== undefined),
    server: config.server && {
      auth: [
        ...(auth?.token_env !== undefined || auth?.token_file !== undefined ? (["token"] as const) : []),
        ...(auth?.basic_user !== undefined ? (["basic"] as const) : []),
      ],
    },
  };
}
