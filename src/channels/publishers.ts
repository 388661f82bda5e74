import { OmnifeedError } from "../core/errors.js";
import { amazonPublisher } from "./amazon/publish.js";
import { googlePublisher } from "./google/publish.js";
import { metaPublisher } from "./meta/publish.js";
import type { PublisherDefinition } from "./publisher.js";

/**
 * Every channel that publishes through its API, registered by hand (one line per channel). A
 * channel that writes feed files only is not here.
 */
export const publishers: readonly PublisherDefinition[] = [googlePublisher, metaPublisher, amazonPublisher];

/** The publisher of a channel; a channel without API publishing is a configuration error. */
export function publisherOf(channel: string): PublisherDefinition {
  const found = publishers.find((definition) => definition.channel === channel);
  if (!found) {
    throw new OmnifeedError(
      "config",
      `channel "${channel}" does not publish through an API (publishing channels: ${publishers.map((known) => known.channel).join(", ") || "none"})`,
    );
  }
  return found;
}
