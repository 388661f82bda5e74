import { describe, expect, it } from "vitest";
import {
  ERROR_KINDS,
  fromErrorData,
  isOmnifeedError,
  OmnifeedError,
  toErrorData,
  writeErrorKind,
} from "./errors.js";

describe("OmnifeedError as data", () => {
  it.each(ERROR_KINDS)("keeps kind %s, where and retryAfterMs through structured clone", (kind) => {
    const thrown = new OmnifeedError(kind, "it went wrong", { where: "catalog.csv:12", retryAfterMs: 250 });
    // What a worker thread or a job queue does to a value on its way across.
    const copied = fromErrorData(structuredClone(toErrorData(thrown)));
    expect(isOmnifeedError(copied, kind)).toBe(true);
    expect(copied).toBeInstanceOf(OmnifeedError);
    expect(copied.message).toBe("catalog.csv:12: it went wrong");
    expect((copied as OmnifeedError).where).toBe("catalog.csv:12");
    expect((copied as OmnifeedError).retryAfterMs).toBe(250);
    expect(copied.stack).toBe(thrown.stack);
  });

  it("loses the kind when cloned as an Error, which is why it travels as data", () => {
    const cloned: unknown = structuredClone(new OmnifeedError("config", "bad flag"));
    expect(isOmnifeedError(cloned)).toBe(false);
  });

  it("recognises the brand, not the class: an error of another copy of the module counts", () => {
    const foreign = Object.assign(new Error("from dist/"), { brand: "omnifeed.error", kind: "not_found" });
    expect(isOmnifeedError(foreign, "not_found")).toBe(true);
    expect(isOmnifeedError(foreign, "config")).toBe(false);
    expect(isOmnifeedError(Object.assign(new Error("x"), { brand: "omnifeed.error", kind: "nope" }))).toBe(
      false,
    );
    expect(isOmnifeedError({ brand: "omnifeed.error", kind: "config" })).toBe(false);
  });

  it("turns other errors into plain errors with their name, message and stack", () => {
    const thrown = new TypeError("x is undefined");
    const copied = fromErrorData(structuredClone(toErrorData(thrown)));
    expect(isOmnifeedError(copied)).toBe(false);
    expect(copied.name).toBe("TypeError");
    expect(copied.message).toBe("x is undefined");
    expect(copied.stack).toBe(thrown.stack);
    expect(fromErrorData(toErrorData("a string")).message).toBe("a string");
    expect(fromErrorData({ nonsense: true }).message).toMatch(/could not be read/);
  });
});

describe("writeErrorKind", () => {
  it.each(["ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "ENOENT", "ENOTDIR", "EISDIR"])(
    "%s needs the disk fixed: config",
    (code) => {
      expect(writeErrorKind(Object.assign(new Error(code), { code }))).toBe("config");
    },
  );

  it.each(["EIO", "EAGAIN", "EMFILE", undefined])("%s may pass on a retry: transient", (code) => {
    expect(writeErrorKind(Object.assign(new Error("x"), { code }))).toBe("transient");
  });

  it("is transient for what is not an error at all", () => {
    expect(writeErrorKind(null)).toBe("transient");
    expect(writeErrorKind("ENOSPC")).toBe("transient");
  });
});
