import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, omnifeed } from "./cli.js";

const EXAMPLE = "fixtures/installation/omnifeed.config.yaml";
const ENV = {
  OMNIFEED_GOOGLE_SIM_CREDENTIALS: "{}",
  OMNIFEED_META_ACCESS_TOKEN: "meta-token",
  AMAZON_SIM_CLIENT_ID: "client",
  AMAZON_SIM_CLIENT_SECRET: "secret",
  AMAZON_SIM_REFRESH_TOKEN: "refresh",
  OMNIFEED_SERVER_TOKEN: "server-token",
};

describe("omnifeed config", () => {
  it("check passes the example installation and sums it up", async () => {
    const result = await omnifeed(["config", "check", "--config", EXAMPLE], ENV);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `ok: ${EXAMPLE}: 7 schedules (1 disabled), 3 channels (google, meta, amazon), 3 accounts, server with token auth\n`,
    );
  });

  it("check lists each problem with position, severity and path, and exits 2; never a secret's value", async () => {
    const result = await omnifeed(["config", "check", "--config", EXAMPLE], {
      ...ENV,
      OMNIFEED_SERVER_TOKEN: "",
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /^fixtures\/installation\/omnifeed\.config\.yaml:\d+:\d+: error: server\.auth\.token_env: environment variable OMNIFEED_SERVER_TOKEN is not set\n/,
    );
    expect(result.stdout).toContain(`${EXAMPLE}: 1 error\n`);
    expect(result.stdout).not.toContain("meta-token");
    const json = await omnifeed(["config", "check", "--config", EXAMPLE, "--json"], {
      ...ENV,
      OMNIFEED_SERVER_TOKEN: "",
    });
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout) as { ok: boolean; problems: { path: string; severity: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ path: "server.auth.token_env", severity: "error" }),
    ]);
  });

  it("schema prints the committed JSON Schema", async () => {
    const result = await omnifeed(["config", "schema"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(
      JSON.parse(readFileSync(join(ROOT, "docs/omnifeed.config.schema.json"), "utf8")),
    );
  });
});
