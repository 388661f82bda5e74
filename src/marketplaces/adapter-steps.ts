import { OmnifeedError } from "../core/errors.js";
import type { CarrierMapping } from "./carriers.js";
import { credentialOf, type SecretReader } from "./credentials.js";
import type { MarketplaceContext, OrderCheckpoint, ShipmentPush } from "./marketplace.js";
import { readCheckpoint, type WindowCheckpoint } from "./window.js";

/** Steps the Amazon and eBay adapters take alike: cancellation, the first window, the push prelude. */

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** The context's signal, or one that never aborts. */
export function signalOf(context: MarketplaceContext): AbortSignal {
  return context.signal ?? new AbortController().signal;
}

/** The stored checkpoint, or a window starting `lookBackHours` before `now`. */
export function checkpointOrLookBack(
  since: OrderCheckpoint | undefined,
  marketplace: string,
  now: number,
  lookBackHours: number,
): WindowCheckpoint {
  return since
    ? readCheckpoint(since, marketplace)
    : { marketplace, from: new Date(now - lookBackHours * HOUR_MS).toISOString() };
}

/** The OAuth application and seller credentials of a `marketplaces.<id>` block, read on first use. */
export function oauthCredentials(
  block: Record<string, unknown>,
  setting: string,
  secret: SecretReader,
): () => Promise<{ clientId: string; clientSecret: string; refreshToken: string }> {
  return async () => ({
    clientId: await credentialOf(block, "client_id", `${setting}.client_id`, secret),
    clientSecret: await credentialOf(block, "client_secret", `${setting}.client_secret`, secret),
    refreshToken: await credentialOf(block, "refresh_token", `${setting}.refresh_token`, secret),
  });
}

/** What every push checks first and reports back: the tracking number, the carrier as sent. */
export function pushPrelude(
  shipment: ShipmentPush,
  carrier: CarrierMapping,
  marketplace: string,
): { trackingNumber: string; sent: { carrierCode: string; carrierName?: string } } {
  if (!shipment.trackingNumber)
    throw new OmnifeedError("rejected", `${marketplace} needs a tracking number to confirm a package`, {
      where: `shipment ${shipment.shipmentId} of ${shipment.order.orderId}`,
    });
  return {
    trackingNumber: shipment.trackingNumber,
    sent: { carrierCode: carrier.code, ...(carrier.name !== undefined ? { carrierName: carrier.name } : {}) },
  };
}

/** `check()`: one cheap call; its failure is the detail, never a throw. */
export async function probe(
  target: string,
  okDetail: string,
  call: () => Promise<unknown>,
): Promise<{ ok: boolean; target: string; detail: string }> {
  try {
    await call();
    return { ok: true, target, detail: okDetail };
  } catch (error) {
    return { ok: false, target, detail: error instanceof Error ? error.message : String(error) };
  }
}
