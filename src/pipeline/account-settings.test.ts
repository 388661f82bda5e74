import { describe, expect, it } from "vitest";
import { amazonChannel } from "../channels/amazon/index.js";
import { descriptorOf } from "../channels/registry.js";
import { loadMappingFromText } from "../mapping/load.js";
import { parseAccountFlags, resolveAccount } from "./account-settings.js";

describe("parseAccountFlags", () => {
  it("groups --set values by channel, a later value winning, and keeps '=' inside the value", () => {
    const accounts = parseAccountFlags([
      "amazon.seller_id=A1",
      "amazon.marketplace_id=A1PA6795UKMFR9",
      "amazon.seller_id=A2=B",
    ]);
    expect(accounts.get("amazon")).toEqual({ seller_id: "A2=B", marketplace_id: "A1PA6795UKMFR9" });
    expect(accounts.has("google")).toBe(false);
  });

  it("names the valid keys for an unknown one", () => {
    expect(() => parseAccountFlags(["amazon.marketplace=X"])).toThrow(
      /unknown setting "marketplace" \(did you mean "marketplace_id"\?\); valid keys: amazon\.seller_id, amazon\.marketplace_id/,
    );
    expect(() => parseAccountFlags(["meta.catalog_idd=1"])).toThrow(
      /unknown setting "catalog_idd" \(did you mean "catalog_id"\?\); valid keys: meta\.catalog_id, meta\.graph_version, meta\.api_url/,
    );
    expect(() => parseAccountFlags(["amazon.seller_id"])).toThrow(/--set expects <channel>\.<key>=<value>/);
  });
});

describe("resolveAccount", () => {
  it("puts --set over the config file and fills defaults", () => {
    expect(resolveAccount("amazon", { seller_id: "FILE" }, { seller_id: "FLAG" })).toEqual({
      seller_id: "FLAG",
      marketplace_id: "ATVPDKIKX0DER",
    });
    expect(resolveAccount("amazon", undefined, undefined)).toEqual({ marketplace_id: "ATVPDKIKX0DER" });
  });

  it("says which source gave a bad value", () => {
    expect(() => resolveAccount("amazon", { marketplace_id: "" }, undefined)).toThrow(
      /^channels\.amazon\.account\.marketplace_id: /,
    );
    expect(() => resolveAccount("amazon", undefined, { seller_id: "" })).toThrow(
      /^--set amazon\.seller_id: /,
    );
  });
});

describe("the account in a mapping", () => {
  const descriptor = descriptorOf(amazonChannel);
  const mapping = (settings: string): string => `version: 1\nchannel: amazon\nsettings:\n${settings}\n`;

  it("goes over the mapping's settings", () => {
    const compiled = loadMappingFromText(descriptor, mapping("  language_tag: de_DE"), "/tmp/a.yaml", {
      seller_id: "A1",
      marketplace_id: "A1PA6795UKMFR9",
    });
    expect(compiled.settings).toMatchObject({ seller_id: "A1", language_tag: "de_DE", currency: "EUR" });
  });

  it("may not be set in a mapping file: the error says where it moved", () => {
    expect(() =>
      loadMappingFromText(descriptor, mapping("  marketplace_id: A1PA6795UKMFR9"), "/tmp/a.yaml"),
    ).toThrow(
      "/tmp/a.yaml:4:3: settings.marketplace_id is an account setting now, not a mapping setting: remove it here " +
        "and add channels.amazon.account.marketplace_id to omnifeed.config.yaml or pass --set amazon.marketplace_id=…",
    );
  });
});
