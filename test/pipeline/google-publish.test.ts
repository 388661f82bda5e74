import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { googlePublisher } from "../../src/channels/google/publish.js";
import type { Change } from "../../src/channels/publisher.js";
import { loadConfigFile } from "../../src/config/config-file.js";
import { valuesOfRecord, type PublishRecord } from "../../src/core/publish.js";
import { startGoogleSimulator, type GoogleSimulator } from "../../src/dev/simulators/google.js";
import { prepareRun } from "../../src/pipeline/plan.js";
import { streamBuild } from "../../src/pipeline/stream-build.js";
import { DEMO, DEMO_CONFIG } from "../e2e/cli.js";

let simulator: GoogleSimulator;
let directory: string;

beforeAll(async () => {
  simulator = await startGoogleSimulator();
  directory = await mkdtemp(join(tmpdir(), "omnifeed-google-records-"));
});
afterAll(async () => {
  await simulator.close();
  await rm(directory, { recursive: true, force: true });
});

/** The demo catalog's Google records, as the build yields them for publishing. */
async function demoRecords(): Promise<PublishRecord[]> {
  const config = await loadConfigFile(DEMO_CONFIG);
  const run = await prepareRun({ file: join(DEMO, "catalog.csv"), options: config.catalog?.options }, [
    { id: "google", mappingFile: config.channels?.google?.mapping },
  ]);
  const records: PublishRecord[] = [];
  await streamBuild(run, { workers: 0, withFeeds: false, withRecords: true }, (output) => {
    records.push(...(output.channels.google?.records ?? []));
    return Promise.resolve();
  });
  return records;
}

describe("the demo catalog's Google records through the publisher", () => {
  it("puts every accepted item in the simulator with the values the build gave it", async () => {
    const accepted = (await demoRecords()).filter((record) => record.status === "accepted");
    expect(accepted.length).toBeGreaterThan(0);
    const file = join(directory, "key.json");
    await writeFile(file, JSON.stringify(simulator.serviceAccountKey()));
    const publisher = await googlePublisher.create({
      ...simulator.accountSettings,
      credentials_env: undefined,
      credentials_file: file,
    });
    const changes: Change[] = accepted.map((record) => ({
      op: "create",
      key: record.key,
      sections: ["content", "price", "inventory"],
      values: valuesOfRecord(record)!,
    }));
    const context = {
      signal: new AbortController().signal,
      limiter: { take: () => Promise.resolve(), pause: () => Promise.resolve() },
    };
    const outcomes = await publisher.send(changes, context);
    expect(outcomes.filter((outcome) => outcome.status !== "accepted")).toEqual([]);
    expect(simulator.items().size).toBe(accepted.length);

    // Read back, each item's title, price and availability are what the build gave it.
    const remote = await publisher.get(
      accepted.map((record) => record.key),
      context,
    );
    expect(remote).toHaveLength(accepted.length);
    const byKey = new Map(remote.map((item) => [item.key, item]));
    for (const record of accepted) {
      const values = byKey.get(record.key)!.values;
      for (const field of ["title", "price", "sale_price", "availability", "gtin", "brand"]) {
        expect(values[field], `${record.key} ${field}`).toEqual(valuesOfRecord(record)![field]);
      }
    }
  });
});
