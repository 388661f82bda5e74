import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../../test/support/temp-dirs.js";
import { isOmnifeedError } from "../core/errors.js";
import { loadConfigFile } from "./config-file.js";
import { ConfigFileError } from "./config-problems.js";

function configFile(text: string): string {
  const file = join(makeTempDir("config-file"), "omnifeed.config.yaml");
  writeFileSync(file, text);
  return file;
}

async function loadError(file: string): Promise<ConfigFileError> {
  const error = await loadConfigFile(file).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isOmnifeedError(error, "config")).toBe(true);
  expect(error).toBeInstanceOf(ConfigFileError);
  return error as ConfigFileError;
}

describe("loadConfigFile", () => {
  it("keeps the one-problem message: file:line:col: path: message", async () => {
    const file = configFile("output:\n  dir: out\n  gzip: yes please\n");
    const error = await loadError(file);
    expect(error.where).toBe(`${file}:3:9`);
    expect(error.message).toBe(`${file}:3:9: output.gzip: Invalid input: expected boolean, received string`);
    expect(error.problems).toHaveLength(1);
  });

  it("reports every schema problem, in file order, each with its path and line", async () => {
    const file = configFile(
      [
        "catalog:",
        "  file: catalog.csv",
        "  fromat: csv", // 3: unknown key
        "channels:",
        "  amazon:",
        "    account:",
        "      seler_id: A1", // 7: misspelt account key
        "schedules:",
        "  nightly:",
        "    job: build-feeds",
        '    cron: "every night"', // 11: not cron
        "    tz: Mars/Olympus", // 12: unknown zone
        "  bad name:", // 13: name
        "    job: import",
        '    cron: "0 3 * * *"',
        "  missing-job:", // 16: no job
        '    cron: "0 3 * * *"',
        "server:",
        "  port: -1", // 19
        "",
      ].join("\n"),
    );
    const error = await loadError(file);
    expect(error.problems.map((problem) => [problem.where, problem.path])).toEqual([
      [`${file}:3:3`, "catalog"],
      [`${file}:7:7`, "channels.amazon.account"],
      [`${file}:11:11`, "schedules.nightly.cron"],
      [`${file}:12:9`, "schedules.nightly.tz"],
      [`${file}:13:3`, "schedules.bad name"],
      [`${file}:17:5`, "schedules.missing-job.job"],
      [`${file}:19:9`, "server.port"],
    ]);
    const lines = error.message.split("\n");
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe(`${file}:3:3: catalog: unknown key "fromat" (did you mean "format"?)`);
    expect(lines[1]).toBe(
      `${file}:7:7: channels.amazon.account: unknown key "seler_id" (did you mean "seller_id"?); ` +
        "valid keys: seller_id, marketplace_id, api_url, lwa_url, client_id_env, client_id_file, " +
        "client_secret_env, client_secret_file, refresh_token_env, refresh_token_file, " +
        "rate_limit_per_second, rate_limit_burst, feed_threshold, issue_locale",
    );
    expect(lines[2]).toContain("schedules.nightly.cron: not a cron expression");
    expect(lines[3]).toContain("schedules.nightly.tz: unknown time zone");
    expect(lines[4]).toContain(
      'schedules.bad name: key "bad name": letters, digits, dot, dash or underscore',
    );
    expect(lines[5]).toBe(
      `${file}:17:5: schedules.missing-job.job: missing (expected one of "import"|"build-feeds"|"publish"|"reconcile"|"orders-pull"|"tracking-push")`,
    );
    expect(lines[6]).toContain("server.port: Too small");
  });

  it("takes the publish lock's ttl and wait, and refuses a ttl under 500 ms or a negative wait by path", async () => {
    const config = await loadConfigFile(configFile("state:\n  lock_ttl_ms: 2000\n  lock_wait_ms: 0\n"));
    expect(config.state).toMatchObject({ lock_ttl_ms: 2000, lock_wait_ms: 0 });

    const file = configFile("state:\n  lock_ttl_ms: 499\n  lock_wait_ms: -1\n");
    const error = await loadError(file);
    expect(error.problems.map((problem) => [problem.where, problem.path])).toEqual([
      [`${file}:2:16`, "state.lock_ttl_ms"],
      [`${file}:3:17`, "state.lock_wait_ms"],
    ]);
    expect(error.problems[0]?.message).toMatch(/>=500/);
    expect(error.problems[1]?.message).toMatch(/>=0/);
    const fraction = await loadError(configFile("state:\n  lock_ttl_ms: 1500.5\n"));
    expect(fraction.problems[0]?.path).toBe("state.lock_ttl_ms");
  });

  it("names what a value of the wrong type for every branch of a union would take", async () => {
    const error = await loadError(configFile("build:\n  workers: many\n"));
    expect(error.problems[0]?.message).toBe('expected "auto" or number');
  });

  it("reports YAML syntax errors with their position", async () => {
    const file = configFile("catalog:\n  file: a.csv\n  file: b.csv\nchannels: [google\n");
    const error = await loadError(file);
    expect(error.problems.length).toBeGreaterThanOrEqual(2);
    expect(error.problems[0]?.where).toBe(`${file}:3:3`);
    expect(error.problems[0]?.message).toMatch(/unique/i);
  });

  it("does not check files or secrets: commands that need them say so when they start", async () => {
    const file = configFile(
      [
        "catalog: { file: not-there.csv }",
        "channels:",
        "  meta:",
        "    account: { access_token_env: OMNIFEED_TEST_UNSET_VARIABLE_0F3A }",
        "",
      ].join("\n"),
    );
    const config = await loadConfigFile(file);
    expect(config.catalog?.file).toBe(join(file, "..", "not-there.csv"));
    expect(config.channels?.meta?.account?.access_token_env).toBe("OMNIFEED_TEST_UNSET_VARIABLE_0F3A");
  });
});
