import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../../test/support/temp-dirs.js";
import { isOmnifeedError } from "../core/errors.js";
import { DEFAULT_LOCK_TTL_MS, DEFAULT_LOCK_WAIT_MS } from "../sync/state-lock.js";
import { openPublishEnvironment } from "./publish-environment.js";
import { PublishFlagsSchema, resolvePublishRun } from "./run-request.js";

function installation(state: string): string {
  const dir = makeTempDir("run-request");
  const file = join(dir, "omnifeed.config.yaml");
  writeFileSync(
    file,
    [
      "catalog: { file: catalog.csv }",
      "channels:",
      "  google: {}",
      "state:",
      `  file: ${join(dir, "state.db")}`,
      ...state.split("\n").map((line) => `  ${line}`),
      "",
    ].join("\n"),
  );
  return file;
}

describe("resolvePublishRun: the publish lock", () => {
  it("carries state.lock_ttl_ms and state.lock_wait_ms, whichever backend is chosen", async () => {
    const config = installation("lock_ttl_ms: 2000\nlock_wait_ms: 250");
    const embedded = await resolvePublishRun(PublishFlagsSchema.parse({ config }));
    expect(embedded.state).toMatchObject({ backend: "embedded", lock: { ttlMs: 2000, waitMs: 250 } });
  });

  it("falls back to the defaults (30 s each) when the config names neither", async () => {
    const run = await resolvePublishRun(
      PublishFlagsSchema.parse({ config: installation("workspace: shop") }),
    );
    expect(run.state.lock).toEqual({ ttlMs: DEFAULT_LOCK_TTL_MS, waitMs: DEFAULT_LOCK_WAIT_MS });
    expect(DEFAULT_LOCK_TTL_MS).toBe(30_000);
    expect(DEFAULT_LOCK_WAIT_MS).toBe(30_000);
  });

  it("reaches the store the publish runs against: a second publisher waits only lock_wait_ms", async () => {
    const config = installation("lock_wait_ms: 0");
    const run = await resolvePublishRun(PublishFlagsSchema.parse({ config }));
    const first = await openPublishEnvironment(run.state);
    const second = await openPublishEnvironment(run.state);
    try {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const holding = new Promise<void>((resolve) => (entered = resolve));
      const held = first.store.withLock("shop/google/1", async () => {
        entered();
        await released;
      });
      await holding;
      const started = Date.now();
      const refused = await second.store
        .withLock("shop/google/1", () => Promise.resolve("ran"))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(isOmnifeedError(refused, "conflict")).toBe(true);
      expect((refused as Error).message).toContain("waited 0 ms");
      expect(Date.now() - started).toBeLessThan(1_000);
      release();
      await held;
    } finally {
      await first.close();
      await second.close();
    }
  });
});
