import { describe, expect, it } from "vitest";
import { ProductSchema } from "../core/catalog.js";
import type { EvalContext } from "./context.js";
import { compileLookup, inlineRows } from "./lookups.js";
import { SpecError } from "./problems.js";
import type { TransformStep } from "./schema.js";
import {
  chainTransforms,
  compileFilter,
  compileTransformStep,
  stripHtml,
  TRANSFORMS,
  truncate,
} from "./transforms.js";
import type { TransformEnv } from "./transforms.js";

const product = ProductSchema.parse({
  id: "P1",
  title: "Shirt",
  variants: [{ sku: "S1", price: { amount: 1999, currency: "USD" } }],
});

function makeContext(): EvalContext {
  return {
    product,
    variant: product.variants[0]!,
    stock: { quantity: undefined, locations: [], availability: "in_stock" },
    output: {},
    field: "title",
    issues: [],
    images: undefined,
  };
}

const env: TransformEnv = {
  lookups: new Map([
    [
      "colours",
      compileLookup("colours", inlineRows({ rouge: "red", bleu: "blue" }), { match: "ignore_case" }),
    ],
    ["sizes", compileLookup("sizes", inlineRows({ s: "small" }), { match: "exact", default: "one size" })],
  ]),
};

function run(step: TransformStep, value: unknown, context = makeContext()): unknown {
  return compileTransformStep(step, env)(value, context);
}

function filter(name: string, args: unknown[], value: unknown, context = makeContext()): unknown {
  return compileFilter(name, args, env)(value, context);
}

const usd = (amount: number) => ({ amount, currency: "USD" });

describe("text transforms", () => {
  it("trim and collapse_whitespace", () => {
    expect(run("trim", "  a b  ")).toBe("a b");
    expect(run("collapse_whitespace", "  a \n\t b  c ")).toBe("a b c");
  });

  it("apply to each element of a list and drop elements that become empty", () => {
    expect(run("trim", [" a ", "   ", "b "])).toEqual(["a", "b"]);
    expect(run("upper", ["x", "y"])).toEqual(["X", "Y"]);
  });

  it("let empty values through and read other values as text", () => {
    expect(run("trim", undefined)).toBeUndefined();
    expect(run({ prefix: "$" }, "")).toBe("");
    expect(run({ prefix: "#" }, 12)).toBe("#12");
    expect(run("lower", usd(1999))).toBe("19.99 usd");
  });

  it("change case", () => {
    expect(run("upper", "straße")).toBe("STRASSE");
    expect(run("lower", "ÉTÉ")).toBe("été");
    expect(run("title_case", "RED cotton t-shirt for MEN")).toBe("Red Cotton T-Shirt For Men");
    expect(run("title_case", "don't stop")).toBe("Don't Stop");
    expect(run("sentence_case", "HELLO WORLD. NEW LINE! yes? ok")).toBe("Hello world. New line! Yes? Ok");
  });

  it("replace every occurrence, and take a list as positional arguments", () => {
    expect(run({ replace: { find: "-", with: " " } }, "a-b-c")).toBe("a b c");
    expect(run({ replace: { find: "x" } }, "axbx")).toBe("ab");
    expect(run({ replace: ["/", " | "] }, "a/b")).toBe("a | b");
    expect(run({ replace: { find: 2024, with: 2025 } }, "model 2024")).toBe("model 2025");
  });

  it("regex_replace with groups and flags", () => {
    expect(run({ regex_replace: { pattern: "(\\d+)\\s*cm", with: "$1 cm" } }, "10cm or 20  cm")).toBe(
      "10 cm or 20 cm",
    );
    expect(run({ regex_replace: { pattern: "a", with: "b", flags: "" } }, "aaa")).toBe("baa");
    expect(run({ regex_replace: { pattern: "SALE", flags: "gi" } }, "Big sale now")).toBe("Big  now");
  });

  it("prefix and suffix only non-empty values", () => {
    expect(run({ prefix: "Brand: " }, "Acme")).toBe("Brand: Acme");
    expect(run({ suffix: { text: " cm" } }, "10")).toBe("10 cm");
    expect(run({ suffix: " cm" }, undefined)).toBeUndefined();
  });
});

describe("strip_html", () => {
  it("drops tags and comments and turns block boundaries into line breaks", () => {
    const html = `<div class="intro"><h2>Soft &amp; warm</h2><!-- hidden --><p>100% <b>cotton</b>,<br/>machine washable.</p>
      <ul><li>Size &lt;M&gt;</li><li>Made in &quot;Portugal&quot;</li></ul></div>`;
    expect(stripHtml(html)).toBe(
      'Soft & warm\n100% cotton,\nmachine washable.\nSize <M>\nMade in "Portugal"',
    );
  });

  it("decodes numeric entities and &nbsp;, and keeps unknown ones", () => {
    expect(stripHtml("<p>caf&#233; &#x1F600;&nbsp;&#39;x&#39; &bogus; &hellip;</p>")).toBe(
      "café 😀 'x' &bogus; …",
    );
  });

  it("collapses source whitespace inside HTML but keeps line breaks of plain text", () => {
    expect(stripHtml("<p>one\n   two</p>")).toBe("one two");
    expect(stripHtml("line one\nline two &amp; more")).toBe("line one\nline two & more");
  });

  it("drops script and style content and keeps stray angle brackets", () => {
    expect(stripHtml("<style>p{color:red}</style><p>5 < 10 and a<b</p><script>alert(1)</script>")).toBe(
      "5 < 10 and a<b",
    );
  });

  it("handles attributes with > inside quotes", () => {
    expect(stripHtml('<a title="a > b" href="x">link</a> text')).toBe("link text");
  });

  it("is the strip_html transform", () => {
    expect(run("strip_html", "<p>a</p><p>b</p>")).toBe("a\nb");
  });
});

describe("truncate", () => {
  it("keeps text within the limit untouched", () => {
    expect(truncate("short", 10, true, "…")).toBe("short");
  });

  it("cuts at the last word boundary in the last third, ellipsis included in the length", () => {
    const result = truncate("The quick brown fox jumps over the lazy dog", 20, true, "…");
    expect(result).toBe("The quick brown fox…");
    expect(result.length).toBeLessThanOrEqual(20);
  });

  it("cuts mid-word when no whitespace falls in the last third", () => {
    expect(truncate("Supercalifragilistic expialidocious", 12, true, "")).toBe("Supercalifra");
  });

  it("cuts exactly without at_word", () => {
    expect(truncate("The quick brown fox", 12, false, "")).toBe("The quick br");
  });

  it("keeps a cut that falls just before a space", () => {
    expect(truncate("abcd efgh", 4, true, "")).toBe("abcd");
  });

  it("never splits a surrogate pair", () => {
    const text = "ab😀😀😀";
    const cut = truncate(text, 3, false, "");
    expect(cut).toBe("ab");
    expect(truncate("😀😀😀", 5, false, "")).toBe("😀😀");
    expect(truncate("x😀😀", 4, false, "…")).toBe("x😀…");
  });

  it("warns on the item, naming the field and the limit, each time it cuts (a memo does not hide it)", () => {
    const step = compileTransformStep({ truncate: 5 }, env);
    const context = makeContext();
    expect(step("abcdefgh", context)).toBe("abcde");
    expect(step("abcdefgh", context)).toBe("abcde");
    expect(step("abc", context)).toBe("abc");
    expect(context.issues).toEqual([
      expect.objectContaining({ severity: "warning", code: "truncated", field: "title" }),
      expect.objectContaining({ severity: "warning", code: "truncated", field: "title" }),
    ]);
    expect(context.issues[0]!.message).toContain("cut to 5 characters (the text had 8)");
  });

  it("returns the ellipsis cut to the length when there is no room for text", () => {
    expect(truncate("abcdef", 2, true, "...")).toBe("..");
  });

  it("takes arguments as an object, a single value or template positions", () => {
    expect(run({ truncate: 5 }, "abcdefgh")).toBe("abcde");
    expect(run({ truncate: { length: 6, ellipsis: "…" } }, "abcdefgh")).toBe("abcde…");
    expect(filter("truncate", [7, false, "."], "one two three")).toBe("one tw.");
  });
});

describe("numbers and money", () => {
  it("number", () => {
    expect(run({ number: 2 }, 3)).toBe("3.00");
    expect(run({ number: 1 }, "2.25")).toBe("2.3");
    expect(run({ number: 0 }, usd(1999))).toBe("20");
  });

  it("price with and without the currency", () => {
    expect(run("price", usd(1999))).toBe("19.99 USD");
    expect(run({ price: false }, usd(5))).toBe("0.05");
    expect(run("price", { amount: 1500, currency: "JPY" })).toBe("1500 JPY");
  });

  it("round numbers and Money, nearest, up and down", () => {
    expect(run("round", 2.5)).toBe(3);
    expect(run({ round: { decimals: 2 } }, 1.005)).toBe(1.01);
    expect(run({ round: { decimals: 1, mode: "down" } }, 1.99)).toBe(1.9);
    expect(run({ round: { decimals: 0, mode: "up" } }, "1.01")).toBe(2);
    expect(run("round", usd(1950))).toEqual(usd(2000));
    expect(run({ round: { mode: "down" } }, usd(1999))).toEqual(usd(1900));
    expect(run({ round: { decimals: 1, mode: "up" } }, usd(1911))).toEqual(usd(1920));
    expect(run({ round: { decimals: -1 } }, usd(12500))).toEqual(usd(13000));
    expect(run({ round: 2 }, usd(1999))).toEqual(usd(1999));
  });

  it("price_ending (charm pricing), never below the price", () => {
    expect(run({ price_ending: 0.99 }, usd(2345))).toEqual(usd(2399));
    expect(run({ price_ending: 0.49 }, usd(2375))).toEqual(usd(2449));
    expect(run({ price_ending: 0.99 }, usd(2399))).toEqual(usd(2399));
    expect(run({ price_ending: 9.99 }, usd(2345))).toEqual(usd(2999));
    expect(run({ price_ending: 0.95 }, 12.2)).toBe(12.95);
  });

  it("multiply and add keep Money as Money, rounded half up to the minor unit", () => {
    expect(run({ multiply: 1.2 }, usd(1999))).toEqual(usd(2399));
    expect(run({ multiply: 0.5 }, usd(1))).toEqual(usd(1));
    expect(run({ multiply: 1.2 }, 19.99)).toBe(23.988);
    expect(run({ add: 5 }, usd(1999))).toEqual(usd(2499));
    expect(run({ add: -100 }, usd(1999))).toEqual(usd(0));
    expect(run({ add: 0.1 }, 0.2)).toBe(0.3);
    expect(run({ add: { amount: 2 } }, "3")).toBe(5);
  });

  it("convert weights, dimensions and numbers between units", () => {
    expect(run({ convert: "kg" }, { value: 1500, unit: "g" })).toEqual({ value: 1.5, unit: "kg" });
    expect(run({ convert: { to: "lb" } }, { value: 1, unit: "kg" })).toEqual({ value: 2.205, unit: "lb" });
    expect(run({ convert: "cm" }, { length: 100, width: 25.4, height: 1, unit: "mm" })).toEqual({
      length: 10,
      width: 2.54,
      height: 0.1,
      unit: "cm",
    });
    expect(run({ convert: { to: "in", from: "cm" } }, 2.54)).toBe(1);
    expect(filter("convert", ["oz", "g"], "100")).toBe(3.527);
  });

  it("report a value they cannot read as a warning and keep it", () => {
    const context = makeContext();
    expect(run({ convert: "kg" }, "heavy", context)).toBe("heavy");
    expect(run("price", 12, context)).toBe(12);
    expect(run({ multiply: 2 }, "two", context)).toBe("two");
    expect(context.issues.map((issue) => issue.code)).toEqual([
      "transform_input",
      "transform_input",
      "transform_input",
    ]);
    expect(context.issues[0]).toMatchObject({ severity: "warning", field: "title" });
    expect(context.issues[0]?.message).toContain("convert");
  });
});

describe("list transforms", () => {
  it("join and split", () => {
    expect(run("join", ["a", "", "b", 3])).toBe("a, b, 3");
    expect(run({ join: " / " }, ["a", "b"])).toBe("a / b");
    expect(run("split", " a, b ,,c ")).toEqual(["a", "b", "c"]);
    expect(run({ split: "|" }, ["a|b", "c"])).toEqual(["a", "b", "c"]);
  });

  it("first, last, slice and unique", () => {
    expect(run("first", ["a", "b"])).toBe("a");
    expect(run("last", ["a", "b"])).toBe("b");
    expect(run("first", "solo")).toBe("solo");
    expect(run({ slice: { start: 1, end: 3 } }, ["a", "b", "c", "d"])).toEqual(["b", "c"]);
    expect(run({ slice: -2 }, ["a", "b", "c"])).toEqual(["b", "c"]);
    expect(filter("slice", [0, 2], "😀😀😀")).toBe("😀😀");
    expect(run("unique", ["a", "b", "a", usd(1), usd(1)])).toEqual(["a", "b", usd(1)]);
  });

  it("default fills empty values only", () => {
    expect(run({ default: "none" }, "")).toBe("none");
    expect(run({ default: "none" }, [])).toBe("none");
    expect(run({ default: "none" }, "x")).toBe("x");
    expect(run({ default: ["a", "b"] }, undefined)).toEqual(["a", "b"]);
  });

  it("lookup translates, reports misses and uses the table's default", () => {
    const context = makeContext();
    expect(run({ lookup: "colours" }, "ROUGE", context)).toBe("red");
    expect(run({ lookup: "colours" }, ["rouge", "vert", "bleu"], context)).toEqual(["red", "blue"]);
    expect(run({ lookup: "colours" }, "vert", context)).toBeUndefined();
    expect(run({ lookup: "sizes" }, "xl", context)).toBe("one size");
    expect(context.issues).toEqual([
      {
        severity: "warning",
        code: "lookup_miss",
        field: "title",
        message: 'lookup "colours" has no row for "vert"',
      },
      {
        severity: "warning",
        code: "lookup_miss",
        field: "title",
        message: 'lookup "colours" has no row for "vert"',
      },
    ]);
  });
});

describe("load-time checks", () => {
  const problem = (step: () => unknown): string => {
    try {
      step();
    } catch (error) {
      expect(error).toBeInstanceOf(SpecError);
      return (error as Error).message;
    }
    throw new Error("expected a SpecError");
  };

  it("rejects unknown transforms with a suggestion", () => {
    expect(problem(() => compileTransformStep("uper", env))).toBe(
      'unknown transform "uper" (did you mean "upper"?)',
    );
    expect(problem(() => compileFilter("strip_htm", [], env))).toContain('did you mean "strip_html"');
  });

  it("rejects bad arguments", () => {
    expect(problem(() => compileTransformStep({ truncate: "long" }, env))).toContain("truncate: length:");
    expect(problem(() => compileTransformStep({ truncate: { length: 10, size: 3 } }, env))).toBe(
      'truncate: unknown argument "size"',
    );
    expect(problem(() => compileTransformStep("truncate", env))).toContain("length");
    expect(problem(() => compileTransformStep({ round: { mode: "sideways" } }, env))).toContain(
      "round: mode:",
    );
    expect(problem(() => compileTransformStep({ trim: 3 }, env))).toBe("trim takes no arguments");
    expect(problem(() => compileFilter("upper", [1], env))).toBe("upper takes no arguments");
    expect(problem(() => compileFilter("prefix", ["a", "b"], env))).toBe(
      "prefix takes at most 1 argument (text)",
    );
    expect(problem(() => compileTransformStep({ convert: { to: "kg", from: "cm" } }, env))).toBe(
      "convert: cannot convert cm to kg",
    );
    expect(problem(() => compileTransformStep({ truncate: { length: 2, ellipsis: "..." } }, env))).toContain(
      "ellipsis is longer",
    );
  });

  it("rejects a bad regular expression and bad flags", () => {
    expect(problem(() => compileTransformStep({ regex_replace: "([a-" }, env))).toContain(
      "regex_replace: bad regular expression",
    );
    expect(
      problem(() => compileTransformStep({ regex_replace: { pattern: "a", flags: "q" } }, env)),
    ).toContain("flags");
  });

  it("rejects an unknown lookup table", () => {
    expect(problem(() => compileTransformStep({ lookup: "colors" }, env))).toBe(
      'unknown lookup "colors" (did you mean "colours"?)',
    );
  });

  it("lists every transform with its positional parameters", () => {
    expect(Object.keys(TRANSFORMS).sort()).toEqual(
      [
        "add",
        "collapse_whitespace",
        "convert",
        "default",
        "first",
        "join",
        "last",
        "lookup",
        "lower",
        "multiply",
        "number",
        "prefix",
        "price",
        "price_ending",
        "regex_replace",
        "replace",
        "round",
        "sentence_case",
        "slice",
        "split",
        "strip_html",
        "suffix",
        "title_case",
        "trim",
        "truncate",
        "unique",
        "upper",
      ].sort(),
    );
    expect(TRANSFORMS.truncate?.params).toEqual(["length", "at_word", "ellipsis"]);
    expect(TRANSFORMS.regex_replace?.params).toEqual(["pattern", "with", "flags"]);
  });

  it("chains transforms in order", () => {
    const chain = chainTransforms([
      compileTransformStep("trim", env),
      compileTransformStep("upper", env),
      compileTransformStep({ prefix: ">" }, env),
    ]);
    expect(chain?.("  a ", makeContext())).toBe(">A");
    expect(chainTransforms([])).toBeUndefined();
  });
});
