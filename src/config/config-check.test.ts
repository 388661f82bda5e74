import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../../test/support/temp-dirs.js";
import { checkConfigFile, type ConfigCheckReport } from "./config-check.js";
import { PACKAGE_ROOT } from "./paths.js";

const EXAMPLE = join(PACKAGE_ROOT, "fixtures/installation/omnifeed.config.yaml");
/** The variables the example names; the values are what the simulators accept in tests. */
const EXAMPLE_ENV: Record<string, string> = {
  OMNIFEED_GOOGLE_SIM_CREDENTIALS: "{}",
  OMNIFEED_META_ACCESS_TOKEN: "meta-token",
  AMAZON_SIM_CLIENT_ID: "client",
  AMAZON_SIM_CLIENT_SECRET: "secret",
  AMAZON_SIM_REFRESH_TOKEN: "refresh",
  OMNIFEED_SERVER_TOKEN: "server-token",
};
const fromEnv =
  (env: Record<string, string>) =>
  (name: string): string | undefined =>
    env[name];

/** A folder with a catalog, a mapping file and a secret file, and the config in it. */
function installation(config: string): string {
  const dir = makeTempDir("config-check");
  writeFileSync(join(dir, "catalog.csv"), "sku,title\nA,a\n");
  writeFileSync(join(dir, "google.yaml"), "version: 1\nchannel: google\n");
  writeFileSync(join(dir, "token.txt"), "secret\n");
  mkdirSync(join(dir, "a-folder"));
  const file = join(dir, "omnifeed.config.yaml");
  writeFileSync(file, config);
  return file;
}

/** What a report says, one `line:col severity path: message` per problem, without the folder. */
function lines(report: ConfigCheckReport): string[] {
  const dir = join(report.file, "..");
  return report.problems.map(
    (problem) =>
      `${problem.where.slice(report.file.length + 1)} ${problem.severity} ${problem.path}: ${problem.message.replaceAll(dir, ".")}`,
  );
}

const CHANNELS = [
  "catalog: { file: catalog.csv }",
  "channels:",
  "  google:",
  "    mapping: google.yaml",
  "    account: { merchant_id: 1, credentials_file: token.txt }",
  "  meta:",
  "    enabled: false",
  "    account: { catalog_id: 1, access_token_file: token.txt }",
  "  amazon: {}",
];

describe("checkConfigFile", () => {
  it("passes the example installation when its secrets' variables are set", async () => {
    const report = await checkConfigFile(EXAMPLE, { lookupEnv: fromEnv(EXAMPLE_ENV) });
    expect(lines(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.summary).toEqual({
      schedules: 7,
      enabledSchedules: 6,
      channels: ["google", "meta", "amazon"],
      accounts: ["google", "meta", "amazon"],
      server: { auth: ["token"] },
    });
  });

  it("names every unset variable of the example, where the file names it", async () => {
    const report = await checkConfigFile(EXAMPLE, {
      lookupEnv: fromEnv({ ...EXAMPLE_ENV, AMAZON_SIM_CLIENT_SECRET: "", OMNIFEED_SERVER_TOKEN: "" }),
    });
    expect(report.ok).toBe(false);
    expect(report.problems.map((problem) => [problem.path, problem.severity])).toEqual([
      ["channels.amazon.account.client_secret_env", "error"],
      ["server.auth.token_env", "error"],
    ]);
    expect(report.problems[0]?.message).toBe("environment variable AMAZON_SIM_CLIENT_SECRET is not set");
    expect(report.problems[0]?.where).toMatch(/omnifeed\.config\.yaml:\d+:26$/);
  });

  it("reports a catalog file and a mapping file that do not exist", async () => {
    const file = installation(
      ["catalog:", "  file: nowhere.csv", "channels:", "  google:", "    mapping: gogle.yaml", ""].join("\n"),
    );
    expect(lines(await checkConfigFile(file))).toEqual([
      "2:9 error catalog.file: ./nowhere.csv does not exist",
      "5:14 error channels.google.mapping: ./gogle.yaml does not exist",
    ]);
  });

  it("reports secrets whose variable is unset or whose file is missing or not a file", async () => {
    const file = installation(
      [
        "channels:",
        "  google:",
        "    account: { credentials_file: missing.json }",
        "  meta:",
        "    account:",
        "      access_token_env: META_TOKEN",
        "      app_secret_file: a-folder",
        "  amazon:",
        "    account:",
        "      client_id_env: AMZ_ID",
        "      client_secret_file: token.txt",
        "      refresh_token_env: AMZ_REFRESH",
        "",
      ].join("\n"),
    );
    const report = await checkConfigFile(file, { lookupEnv: fromEnv({ AMZ_ID: "id" }) });
    expect(lines(report)).toEqual([
      "3:34 error channels.google.account.credentials_file: ./missing.json does not exist",
      "6:25 error channels.meta.account.access_token_env: environment variable META_TOKEN is not set",
      "7:24 error channels.meta.account.app_secret_file: ./a-folder is not a file",
      "12:26 error channels.amazon.account.refresh_token_env: environment variable AMZ_REFRESH is not set",
    ]);
  });

  it("only warns about what a disabled channel or a disabled schedule would need", async () => {
    const file = installation(
      [
        ...CHANNELS.slice(0, 6),
        "    enabled: false",
        "    mapping: none.yaml",
        "    account: { access_token_env: META_TOKEN }",
        "  amazon: {}",
        "schedules:",
        "  later:",
        "    job: publish",
        '    cron: "0 4 * * *"',
        "    channels: [amazon]",
        "    enabled: false",
        "",
      ].join("\n"),
    );
    expect(lines(await checkConfigFile(file))).toEqual([
      "8:14 warning channels.meta.mapping: ./none.yaml does not exist",
      "9:34 warning channels.meta.account.access_token_env: environment variable META_TOKEN is not set",
      "15:15 warning schedules.later.channels: publish needs a channel account, and amazon has none (channels.<id>.account)",
    ]);
  });

  it("reports schedules that name a channel that is not configured or is disabled", async () => {
    const file = installation(
      [
        "catalog: { file: catalog.csv }",
        "channels:",
        "  google: {}",
        "  meta: { enabled: false }",
        "schedules:",
        "  feeds:",
        "    job: build-feeds",
        '    cron: "0 3 * * *"',
        "    channels: [google, meta, amazon]",
        "",
      ].join("\n"),
    );
    expect(lines(await checkConfigFile(file))).toEqual([
      "9:24 error schedules.feeds.channels[1]: channel meta is disabled (channels.meta.enabled)",
      "9:30 error schedules.feeds.channels[2]: channel amazon is not configured under channels",
    ]);
  });

  it("reports publish and reconcile schedules when no channel they cover has an account", async () => {
    const file = installation(
      [
        "catalog: { file: catalog.csv }",
        "channels:",
        "  google: {}",
        "  amazon: {}",
        "schedules:",
        "  publish-all:",
        "    job: publish",
        '    cron: "0 * * * *"',
        "  check-google:",
        "    job: reconcile",
        '    cron: "0 5 * * *"',
        "    channels: [google]",
        "  feeds:",
        "    job: build-feeds",
        '    cron: "0 3 * * *"',
        "",
      ].join("\n"),
    );
    expect(lines(await checkConfigFile(file))).toEqual([
      "7:10 error schedules.publish-all.job: publish needs a channel account, and google, amazon have none (channels.<id>.account)",
      "12:15 error schedules.check-google.channels: reconcile needs a channel account, and google has none (channels.<id>.account)",
    ]);
  });

  it("warns when a publish of every channel covers one without an account", async () => {
    const file = installation(
      [
        ...CHANNELS.slice(0, 5),
        "  amazon: {}",
        "schedules:",
        "  publish-all: { job: publish, cron: '0 * * * *' }",
        "  publish-amazon: { job: publish, cron: '30 * * * *', channels: [google, amazon] }",
        "",
      ].join("\n"),
    );
    expect(lines(await checkConfigFile(file))).toEqual([
      "8:23 warning schedules.publish-all.job: publish covers every enabled channel, and amazon has no account: it will fail there",
      "9:74 error schedules.publish-amazon.channels[1]: publish needs channels.amazon.account, which is not set",
    ]);
  });

  it("reports scheduled jobs without a catalog file", async () => {
    const file = installation(
      ["channels: { google: {} }", "schedules:", "  feeds: { job: build-feeds, cron: '0 3 * * *' }", ""].join(
        "\n",
      ),
    );
    expect(lines(await checkConfigFile(file))).toEqual([
      "1:1 error : no catalog.file (nor catalog.store), which scheduled jobs read (feeds)",
    ]);
  });

  it("reports a server that nobody can sign in to, and a half-configured basic auth", async () => {
    const bare = installation("server:\n  port: 8080\n");
    expect(lines(await checkConfigFile(bare))).toEqual([
      "2:3 error server: no auth: hosted feeds, the console and /admin need token_env or token_file, or basic_user with basic_password_env or basic_password_file",
    ]);
    const half = installation("server:\n  auth:\n    basic_user: ops\n");
    expect(lines(await checkConfigFile(half))).toEqual([
      "3:5 error server.auth: basic_user needs basic_password_env or basic_password_file",
    ]);
    const file = installation("server:\n  auth:\n    token_file: token.txt\n");
    expect(lines(await checkConfigFile(file))).toEqual([]);
  });

  it("warns about two schedules with the same job, channels, cron and time zone", async () => {
    const file = installation(
      [
        ...CHANNELS.slice(0, 5),
        "schedules:",
        "  nightly: { job: build-feeds, cron: '0 3 * * *' }",
        "  again:", // the same once the default channels are filled in and the spaces ignored
        "    job: build-feeds",
        "    cron: '0  3 * * *'",
        "    channels: [google]",
        "  berlin: { job: build-feeds, cron: '0 3 * * *', tz: Europe/Berlin }",
        "  stopped: { job: build-feeds, cron: '0 3 * * *', enabled: false }",
        "",
      ].join("\n"),
    );
    const report = await checkConfigFile(file);
    expect(lines(report)).toEqual([
      "8:3 warning schedules.again: same job, channels, cron and time zone as schedule nightly: it runs twice",
    ]);
    expect(report.ok).toBe(true);
  });

  it("reports schema problems and the installation's problems together, without follow-on ones", async () => {
    const file = installation(
      [
        "catalog: { file: nowhere.csv, fromat: csv }",
        "channels:",
        "  google:",
        "    mapping: none.yaml",
        "    account: { merchant_idd: 1, credentials_env: GOOGLE_KEY }",
        "  meta:",
        "    enabled: maybe",
        "schedules:",
        "  publish-meta: { job: publish, cron: '0 * * * *', channels: [meta] }",
        "  broken: { job: publish, cron: 'soon' }",
        "server:",
        "  port: 70000",
        "  auth: { token_env: 'not a name' }",
        "",
      ].join("\n"),
    );
    const report = await checkConfigFile(file);
    expect(lines(report)).toEqual([
      "1:18 error catalog.file: ./nowhere.csv does not exist",
      '1:31 error catalog: unknown key "fromat" (did you mean "format"?)',

      "4:14 error channels.google.mapping: ./none.yaml does not exist",
      '5:16 error channels.google.account: unknown key "merchant_idd" (did you mean "merchant_id"?); valid keys: merchant_id, data_source, feed_label, language, api_url, token_url, credentials_file, credentials_env, rate_limit_per_second, rate_limit_burst, daily_updates_per_item',
      "5:50 error channels.google.account.credentials_env: environment variable GOOGLE_KEY is not set",
      "7:14 error channels.meta.enabled: Invalid input: expected boolean, received string",
      "10:33 error schedules.broken.cron: not a cron expression (minute hour day-of-month month day-of-week, optional seconds first)",
      "12:9 error server.port: Too big: expected number to be <=65535",
      "13:22 error server.auth.token_env: an environment variable name",
    ]);
  });

  it("reports a file that cannot be read or is not YAML, and nothing more", async () => {
    const missing = join(makeTempDir("config-check"), "absent.yaml");
    const unread = await checkConfigFile(missing);
    expect(unread.ok).toBe(false);
    expect(unread.summary).toBeUndefined();
    expect(unread.problems).toHaveLength(1);
    expect(unread.problems[0]?.message).toMatch(/^cannot read config file: ENOENT/);
    const broken = await checkConfigFile(installation("catalog: [a\nchannels: {\n"));
    expect(broken.ok).toBe(false);
    expect(broken.problems.every((problem) => /:\d+:\d+$/.test(problem.where))).toBe(true);
  });
});
