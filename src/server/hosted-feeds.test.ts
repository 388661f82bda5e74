import { describe, expect, it } from "vitest";
import { acceptsGzip, contentTypeOf, requestedFeedName } from "./hosted-feeds.js";

describe("requestedFeedName", () => {
  it("gives the one plain file name a feed URL asks for", () => {
    expect(requestedFeedName("/feeds/google.xml")).toBe("google.xml");
    expect(requestedFeedName("/feeds/google.xml?token=abc")).toBe("google.xml");
    expect(requestedFeedName("/feeds/amazon-listings-0001.json#x")).toBe("amazon-listings-0001.json");
    expect(requestedFeedName("/feeds/caf%C3%A9.csv")).toBe("café.csv");
  });

  it("refuses anything that is not one segment, before and after decoding", () => {
    for (const url of [
      "/feeds/",
      "/feeds/../x.xml",
      "/feeds/a/b.xml",
      "/feeds/..%2fx.xml",
      "/feeds/..%2Fx.xml",
      "/feeds/%2e%2e%2fx.xml",
      "/feeds/..%5cx.xml",
      "/feeds/..\\x.xml",
      "/feeds/%2e%2e",
      "/feeds/..",
      "/feeds/.omnifeed-manifest.json",
      "/feeds/.google.xml.omnifeed-1-0123abcd.tmp",
      "/feeds/x%00.xml",
      "/feeds/%E0%A4%A",
      "/elsewhere/google.xml",
    ]) {
      expect(requestedFeedName(url), url).toBeUndefined();
    }
  });
});

describe("acceptsGzip", () => {
  it("reads Accept-Encoding with q-values and the * wildcard", () => {
    expect(acceptsGzip("gzip")).toBe(true);
    expect(acceptsGzip("br, gzip;q=0.5")).toBe(true);
    expect(acceptsGzip("GZIP")).toBe(true);
    expect(acceptsGzip("x-gzip")).toBe(true);
    expect(acceptsGzip("*")).toBe(true);
    expect(acceptsGzip("gzip;q=0")).toBe(false);
    expect(acceptsGzip("*;q=0")).toBe(false);
    expect(acceptsGzip("gzip;q=0, *")).toBe(false);
    expect(acceptsGzip("br, deflate")).toBe(false);
    expect(acceptsGzip("identity")).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});

describe("contentTypeOf", () => {
  it("names each feed format's type; a .gz file is a gzip file", () => {
    expect(contentTypeOf("google.xml")).toBe("application/xml; charset=utf-8");
    expect(contentTypeOf("google.tsv")).toBe("text/tab-separated-values; charset=utf-8");
    expect(contentTypeOf("meta.csv")).toBe("text/csv; charset=utf-8");
    expect(contentTypeOf("amazon-listings-0001.json")).toBe("application/json; charset=utf-8");
    expect(contentTypeOf("items.jsonl")).toBe("application/jsonl; charset=utf-8");
    expect(contentTypeOf("meta.csv.gz")).toBe("application/gzip");
    expect(contentTypeOf("feed.bin")).toBe("application/octet-stream");
  });
});
