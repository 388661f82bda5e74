import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OutboxOrderSchema } from "../../src/stores/file/outbox.js";
import { BIN, freshDir, type CliResult } from "./cli.js";

/**
 * `omnifeed demo` (issue 10 §8), the README's first command, through the built CLI in a folder of
 * its own: every step's outcome read from what it prints and from the files it leaves in
 * ./out/demo; then a second run in the same folder.
 */
function demo(cwd: string, args: readonly string[] = []): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "demo", ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The lines printed under step `number`. */
function stepText(stdout: string, number: number): string {
  const lines = stdout.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`${number}. `));
  expect(start, `step ${number} printed`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, index) => index > start && line.startsWith(`${number + 1}. `));
  return lines.slice(start, end === -1 ? undefined : end).join("\n");
}

function orderFiles(dir: string): string[] {
  return readdirSync(join(dir, "store/outbox")).filter((name) => name.endsWith(".json"));
}

/** What a run must show, printed and on disk. */
function expectWholeLoop(result: CliResult, dir: string): void {
  expect(result.code, result.stderr).toBe(0);
  const { stdout } = result;

  // 1. Simulators on free ports, a config that reaches them with the file store.
  const one = stepText(stdout, 1);
  for (const simulator of ["google", "meta", "amazon", "amazon-orders"])
    expect(one).toMatch(new RegExp(`${simulator} +http://127\\.0\\.0\\.1:\\d+`));
  const config = readFileSync(join(dir, "omnifeed.config.yaml"), "utf8");
  expect(config).toContain("stores:\n  file:\n    dir: store");
  expect(config).toMatch(/marketplaces:\n {2}amazon:/);

  // 2. Feeds of the three channels.
  expect(stepText(stdout, 2)).toMatch(/google: \d+ items written/);
  for (const feed of ["google.xml", "meta.csv", "amazon-listings-0001.json"])
    expect(statSync(join(dir, "feeds", feed)).size).toBeGreaterThan(0);

  // 3. Publish: every accepted item created on each channel, none failed.
  const three = stepText(stdout, 3);
  for (const channel of ["google", "meta", "amazon"])
    expect(three).toMatch(new RegExp(`${channel} \\S+: [1-9]\\d* created, \\d+ refused, 0 failed`));

  // 4. One order, pulled twice, imported once: one outbox file with quantity 2.
  const four = stepText(stdout, 4);
  const placed = /placed (amazon\/\S+\/(\d{3}-\d{7}-\d{7})): 2 × (\S+)/.exec(four);
  expect(placed, four).not.toBeNull();
  const [, orderKey, orderId, sku] = placed!;
  expect(four).toContain("pull 1: 1 order seen, 1 new, 1 imported, 0 held");
  expect(four).toContain("pull 2: 1 order seen, 0 new, 0 imported, 0 held");
  const files = orderFiles(dir);
  expect(files).toHaveLength(1);
  const outbox = OutboxOrderSchema.parse(
    JSON.parse(readFileSync(join(dir, "store/outbox", files[0]!), "utf8")),
  );
  expect(outbox.order.orderId).toBe(orderId);
  expect(outbox.order.lines).toEqual([expect.objectContaining({ sku, quantity: 2 })]);
  const csvRows = readFileSync(join(dir, "store/orders.csv"), "utf8").trimEnd().split("\n");
  expect(csvRows.filter((row) => row.includes(orderId!))).toHaveLength(1);

  // 5. The sale reached Meta's quantity (2 fewer), read back from the simulator; Amazon left out.
  const five = stepText(stdout, 5);
  const meta = /meta \S+: quantity (\d+) → (\d+)/.exec(five);
  expect(meta, five).not.toBeNull();
  expect(Number(meta![1]) - Number(meta![2])).toBe(2);
  expect(five).toMatch(/meta \S+: 1 inventory update sent/);
  expect(five).toMatch(/google \S+: availability \w+ → \w+/);
  expect(five).not.toMatch(/^ {3}amazon /m);
  expect(five).toContain(`held until the catalog shows the sale: ${sku} 2`);

  // 6. The merchant's tracking file into the inbox, pushed and confirmed; the order shipped.
  const six = stepText(stdout, 6);
  expect(readFileSync(join(dir, "shipped-today.csv"), "utf8")).toContain(
    `${orderKey!.split("/").join(",")},${sku},2,UPS,1Z999AA10123456784`,
  );
  const inbox = readdirSync(join(dir, "store/inbox")).filter((name) => name.endsWith(".csv"));
  expect(inbox).toHaveLength(1);
  expect(six).toContain("tracking: 1 pushed, 1 confirmed, 0 rejected, 0 deferred");
  expect(six).toMatch(/Amazon package \S+: carrier UPS, tracking 1Z999AA10123456784, 2 of item \d+/);
  expect(six).toContain(`Amazon order ${orderId} is SHIPPED`);

  // 7. Done; nothing secret printed.
  expect(stepText(stdout, 7)).toContain("the simulators stop now");
  const secrets = readdirSync(dir).filter((name) => name.endsWith(".secret"));
  expect(secrets.length).toBeGreaterThan(0);
  for (const name of secrets) expect(stdout).not.toContain(readFileSync(join(dir, name), "utf8").trim());
}

describe("omnifeed demo", () => {
  it("runs the whole loop in ./out/demo, and again in the same folder", async () => {
    const cwd = freshDir("demo");
    const dir = join(cwd, "out/demo");
    const first = await demo(cwd);
    expectWholeLoop(first, dir);

    // The simulators start empty each run: the folder is started afresh, so the loop works again
    // and the outbox still holds one order.
    const second = await demo(cwd);
    expectWholeLoop(second, dir);
    expect(orderFiles(dir)).toHaveLength(1);
  }, 120_000);

  it("refuses a folder it did not write, and leaves it alone", async () => {
    const cwd = freshDir("demo-foreign");
    const mine = join(cwd, "mine");
    writeFileSync(mine, "keep me");
    const result = await demo(cwd, ["--dir", "."]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the demo folder holds files the demo did not write");
    expect(existsSync(join(cwd, "omnifeed.config.yaml"))).toBe(false);
    expect(readFileSync(mine, "utf8")).toBe("keep me");
  }, 60_000);
});
