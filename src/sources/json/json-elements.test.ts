import { describe, expect, it } from "vitest";
import { createJsonElementSplitter, type JsonElement } from "./json-elements.js";

function split(text: string, chunkSize = text.length) {
  const elements: JsonElement[] = [];
  const problems: string[] = [];
  const splitter = createJsonElementSplitter(
    (element) => elements.push(element),
    (problem) => problems.push(`${problem.line}: ${problem.message}`),
  );
  for (let at = 0; at < text.length; at += chunkSize) splitter.push(text.slice(at, at + chunkSize));
  splitter.end();
  return { elements, problems };
}

const ARRAY = `[
  {"id": "a", "title": "Brackets ] } in \\"strings\\"", "variants": [{"sku": "A1"}]},
  {
    "id": "b"
  }
]
`;

describe("JSON element splitter", () => {
  it("splits the top-level array into elements with their first line, in any chunking", () => {
    for (const chunkSize of [1, 3, 7, 1000]) {
      const { elements, problems } = split(ARRAY, chunkSize);
      expect(elements).toEqual([
        {
          line: 2,
          text: '{"id": "a", "title": "Brackets ] } in \\"strings\\"", "variants": [{"sku": "A1"}]}',
        },
        { line: 3, text: '{\n    "id": "b"\n  }' },
      ]);
      expect(problems).toEqual([]);
    }
  });

  it("finds the products array of a wrapper object and skips its other keys", () => {
    const text =
      '{"meta": {"products": "not this"}, "note": "[x]", "products": [{"id": "a"}, 42], "after": [1]}';
    const { elements, problems } = split(text, 5);
    expect(elements.map((element) => element.text)).toEqual(['{"id": "a"}', "42"]);
    expect(problems).toEqual([]);
  });

  it("reports a string left open at the end of a line and resumes at the next element", () => {
    const text = '[\n  {"id": "a", "title": "never ends,\n   "x": 1\n  },\n  {"id": "b"}\n]';
    const { elements, problems } = split(text, 4);
    expect(elements).toEqual([{ line: 5, text: '{"id": "b"}' }]);
    expect(problems).toEqual([
      "2: a string in the element starting on this line is not closed on line 2; the element is skipped",
    ]);
  });

  it("reports what cannot be a catalog", () => {
    expect(split("").problems).toEqual(["1: the file is empty"]);
    expect(split('"text"').problems).toEqual([
      "1: expected a JSON array of products, or an object with a products array",
    ]);
    expect(split('{"items": []}').problems).toEqual(['1: the object has no "products" array']);
    expect(split('[{"id": "a"},\n{"id": ').problems).toEqual([
      "2: the element starting on this line is not closed before the end of the file",
    ]);
  });
});
