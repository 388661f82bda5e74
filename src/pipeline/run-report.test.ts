import { describe, expect, it } from "vitest";
import type { BatchOutput, ReportedItemIssue } from "./build.js";
import { RunReport } from "./run-report.js";

function batch(skus: readonly string[]): BatchOutput {
  const issues: ReportedItemIssue[] = skus.map((sku, index) => ({
    channel: "google",
    sku,
    file: "catalog.csv",
    line: index + 2,
    severity: "error",
    code: "price_missing",
    field: "price",
    message: `${sku} has no price`,
  }));
  return {
    records: skus.length,
    bytesRead: 0,
    products: skus.length,
    variants: skus.length,
    rowIssues: [],
    channels: {
      google: {
        variants: skus.length,
        accepted: 0,
        rejected: skus.length,
        filtered: 0,
        filteredBy: {},
        warned: 0,
        duplicates: 0,
        issues,
        acceptedKeys: { keys: [], lines: [], skus: [], warned: [] },
        feeds: {},
      },
    },
  };
}

describe("RunReport issue counts", () => {
  it("keeps the first item as `example` and the first three, across batches, as `examples`", () => {
    const report = new RunReport("catalog.csv", "csv", ["google"]);
    report.add(batch(["A", "B"]));
    report.add(batch(["C", "D"]));
    const [issue] = report.summary([]).channels[0]!.issues;
    expect(issue?.count).toBe(4);
    expect(issue?.example).toEqual({ sku: "A", message: "A has no price" });
    expect(issue?.examples.map((example) => example.sku)).toEqual(["A", "B", "C"]);
  });
});
