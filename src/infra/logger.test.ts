import { describe, expect, it } from "vitest";
import { createLogger, redactUrl, serializeRequest } from "./logger.js";

const SECRET = "s3cret-token-value";

function captured(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ destination: { write: (line: string) => lines.push(line) } }) };
}

describe("redactUrl", () => {
  it("replaces token values in a query and keeps the rest", () => {
    expect(redactUrl(`/feeds/google.xml?token=${SECRET}`)).toBe("/feeds/google.xml?token=[redacted]");
    expect(redactUrl(`/x?a=1&access_token=${SECRET}&b=2`)).toBe("/x?a=1&access_token=[redacted]&b=2");
    expect(redactUrl(`/x?TOKEN=${SECRET}#frag`)).toBe("/x?TOKEN=[redacted]#frag");
    expect(redactUrl("/feeds/google.xml")).toBe("/feeds/google.xml");
  });

  it("is what the request serializer logs, without any header", () => {
    const logged = serializeRequest({ method: "GET", url: `/feeds/a.xml?token=${SECRET}`, ip: "10.0.0.1" });
    expect(logged).toEqual({
      method: "GET",
      url: "/feeds/a.xml?token=[redacted]",
      remoteAddress: "10.0.0.1",
    });
  });
});

describe("createLogger", () => {
  it("never writes secrets or buyer data, at the top of a line or one level down", () => {
    const { lines, logger } = captured();
    logger.info({ token: SECRET, authorization: `Bearer ${SECRET}` }, "top");
    logger.info(
      { headers: { cookie: SECRET, "x-shopify-hmac-sha256": SECRET, "x-amz-security-token": SECRET } },
      "hdr",
    );
    logger.info({ req: { headers: { authorization: SECRET } } }, "req");
    logger.info(
      { order: { id: "O-1", name: "Jo Buyer", email: "jo@example.com", phone: "+1 555 0100" } },
      "order",
    );
    logger.info({ shipping: { name: "Jo Buyer", address: "1 Main St" } }, "ship");
    logger.info({ product: { name: "Organic tee" } }, "product");
    logger.flush();
    const text = lines.join("");
    for (const secret of [SECRET, "Jo Buyer", "jo@example.com", "+1 555 0100", "1 Main St"]) {
      expect(text).not.toContain(secret);
    }
    // A product's name is not buyer data and stays readable.
    expect(text).toContain("Organic tee");
    expect(text).toContain('"id":"O-1"');
  });
});
