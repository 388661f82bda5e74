import { describe, expect, it } from "vitest";
import type { ItemIssue } from "../core/issues.js";
import type { InvalidIdentifierPolicy } from "./identifiers.js";
import { isScientificNotation, screenGtin, screenIdentifierAttributes, screenMpn } from "./identifiers.js";

function gtinOf(value: string, policy: InvalidIdentifierPolicy = "drop") {
  const issues: ItemIssue[] = [];
  const sent = screenGtin(value, "gtin", policy, issues);
  return { sent, codes: issues.map((issue) => `${issue.severity}:${issue.code}`), issues };
}

describe("screenGtin", () => {
  it("passes valid GTINs and ISBN-10s unchanged, without issues", () => {
    for (const gtin of ["036000291452", "4006381333931", "96385074", "10012345678902", "080442957X"]) {
      expect(gtinOf(gtin)).toEqual({ sent: gtin, codes: [], issues: [] });
    }
  });

  it("recognises scientific notation as spreadsheet damage and says how to fix it", () => {
    for (const value of ["3.65275E+11", "3,65275E+12", "4.00638E12", "1e+13"]) {
      const { sent, codes, issues } = gtinOf(value);
      expect(sent, value).toBeUndefined();
      expect(codes, value).toEqual(["warning:gtin_spreadsheet_damage"]);
      expect(issues[0]?.message).toContain("format the barcode column as text before saving");
      expect(issues[0]?.message).toContain("gtin is left out so the item still sells");
    }
  });

  it("makes the damage an error under invalid_identifiers: reject", () => {
    const { sent, codes, issues } = gtinOf("3.65275E+11", "reject");
    expect(sent).toBeUndefined();
    expect(codes).toEqual(["error:gtin_spreadsheet_damage"]);
    expect(issues[0]?.message).toContain("the item is not sent (invalid_identifiers: reject)");
  });

  it("restores leading zeros a spreadsheet cut when the check digit holds", () => {
    // 036000291452 lost one zero, 000123456784 three.
    expect(gtinOf("36000291452")).toMatchObject({
      sent: "036000291452",
      codes: ["warning:gtin_leading_zeros_restored"],
    });
    expect(gtinOf("123456784")).toMatchObject({
      sent: "000123456784",
      codes: ["warning:gtin_leading_zeros_restored"],
    });
    // Restoring is not a policy matter: the value sent is the same GTIN.
    expect(gtinOf("36000291452", "reject").codes).toEqual(["warning:gtin_leading_zeros_restored"]);
  });

  it("does not invent zeros when the check digit does not hold", () => {
    expect(gtinOf("36000291453")).toMatchObject({ sent: undefined, codes: ["warning:gtin_invalid"] });
    expect(gtinOf("036000291453")).toMatchObject({ sent: undefined, codes: ["warning:gtin_check_digit"] });
    expect(gtinOf("12345")).toMatchObject({ sent: undefined, codes: ["warning:gtin_invalid"] });
    expect(gtinOf("40063813339AB", "reject")).toMatchObject({ codes: ["error:gtin_invalid"] });
  });
});

describe("screenMpn", () => {
  const mpnOf = (value: string, rejectedGtin?: string) => {
    const issues: ItemIssue[] = [];
    const sent = screenMpn(value, rejectedGtin, "mpn", "drop", issues);
    return { sent, codes: issues.map((issue) => `${issue.severity}:${issue.code}`) };
  };

  it("keeps part numbers", () => {
    expect(mpnOf("MUG-350")).toEqual({ sent: "MUG-350", codes: [] });
    expect(mpnOf("4006381333931")).toEqual({ sent: "4006381333931", codes: [] });
  });

  it("drops a number saved in scientific notation and a copy of the invalid barcode", () => {
    expect(mpnOf("3.65275E+11")).toEqual({ sent: undefined, codes: ["warning:mpn_spreadsheet_damage"] });
    expect(mpnOf("12345", "12345")).toEqual({ sent: undefined, codes: ["warning:mpn_is_invalid_gtin"] });
  });
});

describe("screenIdentifierAttributes", () => {
  it("leaves neither a junk gtin nor its copy in mpn", () => {
    const attributes = { gtin: "3.65275E+11", mpn: "3.65275E+11" };
    const issues: ItemIssue[] = [];
    screenIdentifierAttributes(attributes, "drop", issues);
    expect(attributes).toEqual({ gtin: undefined, mpn: undefined });
    expect(issues.map((issue) => issue.code)).toEqual(["gtin_spreadsheet_damage", "mpn_spreadsheet_damage"]);
  });
});

describe("isScientificNotation", () => {
  it("tells a number in E notation from codes that merely contain an E", () => {
    expect(isScientificNotation("3.65275E+11")).toBe(true);
    expect(isScientificNotation("AB-1E5")).toBe(false);
    expect(isScientificNotation("1E")).toBe(false);
  });
});
