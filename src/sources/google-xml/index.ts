import { defineSource } from "../source.js";
import { GoogleXmlOptionsSchema, type GoogleXmlOptions } from "./config.js";
import { decodeGoogleXmlBatch } from "./decode.js";
import { readGoogleXmlBatches } from "./records.js";

const GOOGLE_NAMESPACE = "http://base.google.com/ns/1.0";

/** A Google Merchant Center feed: RSS 2.0 items or Atom entries with `g:` attributes. */
export const googleXmlSource = defineSource<GoogleXmlOptions>({
  format: "google-xml",
  description: "Google Merchant Center XML feed (RSS 2.0 or Atom, g: namespace)",
  optionsSchema: GoogleXmlOptionsSchema,
  sniff(head, fileName) {
    const text = head.trimStart();
    if (!text.startsWith("<")) return false;
    return (
      text.includes(GOOGLE_NAMESPACE) || (/\.xml(\.gz)?$/i.test(fileName) && /<(item|entry)[\s>]/.test(text))
    );
  },
  records: readGoogleXmlBatches,
  decode: decodeGoogleXmlBatch,
});
