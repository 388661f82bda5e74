import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startAmazonSimulator } from "../../src/dev/simulators/amazon.js";
import { startGoogleSimulator } from "../../src/dev/simulators/google.js";
import { startMetaSimulator } from "../../src/dev/simulators/meta.js";
import { DEMO, ROOT, freshDir, omnifeed as run } from "./cli.js";
import { writeCalls } from "./simulator-calls.js";

/**
 * Publishing the demo catalog to the three simulators through the real CLI, step by step as a
 * merchant's scheduled runs would: first publish, an unchanged re-run, one price changed, one
 * product removed, half the catalog gone (held, then forced), and reconcile after changes made
 * behind our back. Each step asserts on what the simulators received, not on what we printed.
 */

type Simulators = {
  google: Awaited<ReturnType<typeof startGoogleSimulator>>;
  meta: Awaited<ReturnType<typeof startMetaSimulator>>;
  amazon: Awaited<ReturnType<typeof startAmazonSimulator>>;
};
type ChannelName = keyof Simulators;
const CHANNELS: ChannelName[] = ["google", "meta", "amazon"];
const FAST = { rate_limit_per_second: 500, rate_limit_burst: 50 };

interface JsonPlan {
  channel: ChannelName;
  counts: {
    creates: number;
    updates: number;
    deletes: number;
    unchanged: number;
    updatedSections: Record<string, number>;
  };
  deletesHeld: boolean;
  execution?: {
    outcomes: Record<"create" | "update" | "delete", { accepted: number; rejected: number; failed: number }>;
    topReasons: { code: string; message: string; items: number; examples: string[] }[];
  };
}

describe("omnifeed publish against the simulators", () => {
  let simulators: Simulators;
  let dir: string;
  let catalog: string;
  let config: string;
  let env: Record<string, string>;
  const lines = readFileSync(join(DEMO, "catalog.jsonl"), "utf8").trimEnd().split("\n");
  const REFUSED = "TEE-ORG-WHI-M";
  const PRICED = "TEE-ORG-WHI-S";

  const publish = async (extra: string[] = []) => {
    const result = await run(["publish", "--config", config, "--json", "--quiet", ...extra], env);
    const parsed = result.stdout.trim().startsWith("{")
      ? (JSON.parse(result.stdout) as { status: string; channels: JsonPlan[] })
      : undefined;
    return { ...result, json: parsed };
  };
  const planOf = (json: { channels: JsonPlan[] } | undefined, channel: ChannelName) =>
    json?.channels.find((entry) => entry.channel === channel);
  const resetCalls = () => CHANNELS.forEach((channel) => simulators[channel].resetCalls());
  const writes = (channel: ChannelName) => writeCalls(channel, simulators[channel].calls);
  const writeCatalog = (kept: string[]) => writeFileSync(catalog, `${kept.join("\n")}\n`);

  beforeAll(async () => {
    simulators = {
      google: await startGoogleSimulator({ port: 0, processingDelayMs: 0 }),
      meta: await startMetaSimulator({ port: 0, processingDelayMs: 0 }),
      amazon: await startAmazonSimulator({ port: 0, processingDelayMs: 0 }),
    };
    dir = freshDir("publish");
    catalog = join(dir, "catalog.jsonl");
    writeCatalog(lines);
    config = join(dir, "omnifeed.config.yaml");
    const mapping = (channel: string) => join(ROOT, `channel-mappings/examples/demo/${channel}.yaml`);
    writeFileSync(
      config,
      stringify({
        catalog: {
          file: "catalog.jsonl",
          options: { currency: "USD", store_url: "https://demo.omnifeed.dev" },
        },
        // The simulators have no quota here; wide buckets keep the steps quick.
        channels: {
          google: { mapping: mapping("google"), account: { ...simulators.google.accountSettings, ...FAST } },
          meta: { mapping: mapping("meta"), account: { ...simulators.meta.accountSettings, ...FAST } },
          amazon: { mapping: mapping("amazon"), account: { ...simulators.amazon.accountSettings, ...FAST } },
        },
        state: { file: "state.sqlite" },
      }),
    );
    env = { ...simulators.google.env, ...simulators.meta.env, ...simulators.amazon.env };
    const issue = { code: "simulated_policy", message: "The simulator refuses this item" };
    simulators.google.rejectItem(REFUSED, issue);
    simulators.meta.rejectItem(REFUSED, issue);
    simulators.amazon.rejectItem(REFUSED, issue);
  });

  afterAll(async () => {
    await Promise.all(CHANNELS.map((channel) => simulators?.[channel]?.close()));
  });

  it("validate --remote asks Amazon's own check for every accepted item and applies nothing", async () => {
    const checked = await run(["validate", "--config", config, "--remote"], env);
    // The demo's own errors make it exit 3 anyway; what matters is the channel's answer.
    expect(checked.code, checked.stderr).toBe(3);
    expect(checked.stdout).toContain(`amazon ${REFUSED}: error simulated_policy`);
    expect(checked.stdout).toContain("The simulator refuses this item (amazon's own check)");
    expect(checked.stdout).toMatch(/amazon's own check: \d+ items asked, 1 refused/);
    expect(checked.stdout).toContain(
      "not checked by the channel (its API has no check without applying): google, meta",
    );
    expect(simulators.amazon.items().size).toBe(0);
    expect(simulators.amazon.calls.some((call) => call.query?.mode === "VALIDATION_PREVIEW")).toBe(true);
  });

  it("puts every valid item in each simulator; the refused item carries the simulator's reason", async () => {
    const first = await publish();
    expect(first.code, first.stderr).toBe(0);
    for (const channel of CHANNELS) {
      const plan = planOf(first.json, channel)!;
      expect(plan.counts.creates).toBeGreaterThan(80);
      expect(plan.execution!.outcomes.create).toEqual({
        accepted: plan.counts.creates - 1,
        rejected: 1,
        failed: 0,
      });
      expect(plan.execution!.topReasons[0]).toMatchObject({ items: 1, examples: [REFUSED] });
      expect(plan.execution!.topReasons[0]!.message).toContain("The simulator refuses this item");
      expect(simulators[channel].items().size).toBe(plan.counts.creates - 1);
      expect(simulators[channel].items().has(PRICED)).toBe(true);
    }
    const explained = await run(["explain", REFUSED, "--config", config], env);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toMatch(/last outcome rejected/);
    expect(explained.stdout).toContain("The simulator refuses this item");
  });

  it("an unchanged re-run sends nothing", async () => {
    resetCalls();
    const again = await publish();
    expect(again.code, again.stderr).toBe(0);
    for (const channel of CHANNELS) {
      expect(writes(channel)).toEqual([]);
      expect(planOf(again.json, channel)!.counts).toMatchObject({ creates: 0, updates: 0, deletes: 0 });
    }
  });

  it("one price changed: exactly one price-only call per channel", async () => {
    writeCatalog(
      lines.map((line) =>
        line.replace(
          `"sku":"${PRICED}","gtin":"4006380010079","price":"25.00"`,
          `"sku":"${PRICED}","gtin":"4006380010079","price":"27.50"`,
        ),
      ),
    );
    resetCalls();
    const changed = await publish();
    expect(changed.code, changed.stderr).toBe(0);
    for (const channel of CHANNELS) {
      const plan = planOf(changed.json, channel)!;
      expect(plan.counts).toMatchObject({
        creates: 0,
        updates: 1,
        deletes: 0,
        updatedSections: { price: 1, content: 0, inventory: 0 },
      });
      const calls = writes(channel);
      expect(calls, `${channel} write calls`).toHaveLength(1);
      const sent = JSON.stringify({ query: calls[0]!.query, body: calls[0]!.body });
      expect(sent).toMatch(/27\.5|2750|27500000/);
      expect(sent, `${channel} sends the price only`).not.toContain("Organic Cotton Classic Tee");
    }
  });

  it("a product removed from the catalog: one delete per channel", async () => {
    const current = readFileSync(catalog, "utf8").trimEnd().split("\n");
    const single = current.findIndex((line) => {
      const product = JSON.parse(line) as { variants: { sku: string }[] };
      return (
        product.variants.length === 1 &&
        CHANNELS.every((channel) => simulators[channel].items().has(product.variants[0]!.sku))
      );
    });
    expect(single).toBeGreaterThanOrEqual(0);
    writeCatalog(current.filter((_, index) => index !== single));
    resetCalls();
    const removed = await publish();
    expect(removed.code, removed.stderr).toBe(0);
    for (const channel of CHANNELS) {
      expect(planOf(removed.json, channel)!.counts).toMatchObject({ creates: 0, updates: 0, deletes: 1 });
      expect(writes(channel), `${channel} write calls`).toHaveLength(1);
    }
  });

  it("half the catalog gone: the deletes are held (exit 4) unless --force", async () => {
    const current = readFileSync(catalog, "utf8").trimEnd().split("\n");
    writeCatalog(current.slice(0, Math.floor(current.length / 2)));
    const held = CHANNELS.map((channel) => simulators[channel].items().size);
    resetCalls();
    const guarded = await run(["publish", "--config", config, "--quiet"], env);
    expect(guarded.code, guarded.stderr).toBe(4);
    expect(guarded.stdout).toContain("HELD");
    CHANNELS.forEach((channel, index) => {
      expect(writes(channel)).toEqual([]);
      expect(simulators[channel].items().size).toBe(held[index]);
    });
    const forced = await publish(["--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    CHANNELS.forEach((channel, index) => {
      const deletes = planOf(forced.json, channel)!.counts.deletes;
      expect(deletes).toBeGreaterThan(held[index]! * 0.3);
      expect(simulators[channel].items().size).toBe(held[index]! - deletes);
    });
    // The whole catalog back, for what follows.
    writeCatalog(current);
    const restored = await publish();
    expect(restored.code, restored.stderr).toBe(0);
  });

  it("reconcile finds an item deleted there, a price changed there and an item disapproved there; --fix sends the difference", async () => {
    const keys = [...simulators.meta.items().keys()].filter((key) => key !== PRICED).slice(0, 3);
    const [gone, repriced, disapproved] = keys as [string, string, string];
    const issue = { code: "policy_violation", message: "Disapproved after review" };
    for (const channel of CHANNELS) {
      simulators[channel].deleteItem(gone);
      simulators[channel].setPrice(repriced, { amountMinor: 101, currency: "USD" });
      simulators[channel].disapprove(disapproved, issue);
    }
    const found = await run(["reconcile", "--config", config, "--json"], env);
    expect(found.code, found.stderr).toBe(6);
    const report = JSON.parse(found.stdout) as {
      channels: {
        channel: ChannelName;
        counts: Record<string, number>;
        findings: { kind: string; key: string }[];
      }[];
    };
    for (const channel of CHANNELS) {
      const entry = report.channels.find((candidate) => candidate.channel === channel)!;
      const kinds = (key: string) =>
        entry.findings.filter((finding) => finding.key === key).map((finding) => finding.kind);
      expect(kinds(gone), `${channel} ${gone}`).toEqual(["missing"]);
      expect(kinds(repriced), `${channel} ${repriced}`).toEqual(["drifted"]);
      expect(
        kinds(disapproved),
        `${channel} ${disapproved} ${JSON.stringify(entry.findings.filter((finding) => finding.key === disapproved))}`,
      ).toEqual(["rejected"]);
    }
    const fixed = await run(["reconcile", "--config", config, "--fix", "--json"], env);
    expect(fixed.code, fixed.stderr).toBe(0);
    const after = await run(["reconcile", "--config", config, "--json"], env);
    const again = JSON.parse(after.stdout) as typeof report;
    for (const entry of again.channels) {
      expect(
        entry.counts,
        `${entry.channel} ${JSON.stringify(entry.findings.filter((finding) => finding.kind !== "rejected"))}`,
      ).toMatchObject({ missing: 0, drifted: 0, orphaned: 0 });
    }
  });
});
