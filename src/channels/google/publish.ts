import { OmnifeedError, isOmnifeedError } from "../../core/errors.js";
import { mapLimited } from "../../infra/concurrency.js";
import type { ChannelIssue, ItemOutcome, PublishValues } from "../../core/publish.js";
import { readSecret } from "../../config/env.js";
import type { RateLimit } from "../../infra/rate-limit.js";
import { valuesOfSections } from "../publish-values.js";
import type {
  Change,
  ChannelPublisher,
  PublishContext,
  PublisherDefinition,
  RemoteItem,
} from "../publisher.js";
import { apiNameOf, localInventoriesOf, productAttributesOf, valuesOfProduct } from "./api-payload.js";
import {
  GOOGLE_TOKEN_URL,
  GoogleApiError,
  GoogleMerchantClient,
  MERCHANT_API_URL,
  ServiceAccountKeySchema,
  type GoogleClientOptions,
  type Product,
} from "./client.js";
import { GoogleAccountSchema, type GoogleAccount } from "./config.js";
import { GOOGLE_FIELDS } from "./fields.js";
import { googleSectionOf } from "./sections.js";

/**
 * Publishing to Google through the Merchant API v1: one `productInputs` call per change (the API
 * has no multi-item batch that saves quota), a few at a time, each taking a token from the
 * account's bucket. A price- or stock-only change is a `productInputs.patch` whose update mask
 * names only that section's attributes; store stock goes through `localInventories`.
 */

/**
 * Write calls per second when the account sets none. Google publishes no fixed per-second figure
 * (per-method quotas are per minute and adjusted per account; `quota/v1` reports them), so the
 * default is modest; raise it to what `quota/v1` shows for the account.
 */
export const GOOGLE_DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 5, burst: 10 };
/** Google asks for at most about two updates per product per day (quotas-limits guide). */
export const GOOGLE_DEFAULT_DAILY_UPDATES = 2;
const DAY_MS = 86_400_000;
/** Calls in flight at once: enough to keep the bucket busy, few enough to stay polite. */
const CONCURRENCY = 8;

const PRICE_MASK = maskOf("price");
const INVENTORY_MASK = maskOf("inventory");

// Every attribute of a section, present or not: a masked attribute absent from the body is deleted,
// so a sale price that went away is removed by the same patch.
function maskOf(section: "price" | "inventory"): string[] {
  const fields = [
    ...GOOGLE_FIELDS.map((field) => field.name),
    "auto_pricing_min_price",
    "local_inventory",
  ].filter((field, index, all) => all.indexOf(field) === index);
  return fields
    .filter((field) => field !== "local_inventory" && googleSectionOf(field) === section)
    .map(apiNameOf);
}

function accountOf(account: Readonly<Record<string, unknown>>): GoogleAccount {
  const parsed = GoogleAccountSchema.safeParse(account);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `channels.google.account.${String(issue.path[0] ?? "")}: ${issue.message}`,
    );
    throw new OmnifeedError("config", problems.join("; "));
  }
  return parsed.data;
}

function required<T>(value: T | undefined, key: string, meaning: string): T {
  if (value === undefined) {
    throw new OmnifeedError(
      "config",
      `channels.google.account.${key} is not set: Google API publishing needs ${meaning} ` +
        `(set it in omnifeed.config.yaml or pass --set google.${key}=…; see docs/publishing-google.md)`,
    );
  }
  return value;
}

async function serviceAccountKeyOf(account: GoogleAccount): Promise<ServiceAccountKey> {
  if (account.credentials_env === undefined && account.credentials_file === undefined) {
    throw new OmnifeedError(
      "config",
      "channels.google.account.credentials_file (or credentials_env) is not set: name the file or the " +
        "environment variable holding the service account's JSON key (see docs/publishing-google.md)",
    );
  }
  const setting = `channels.google.account.${account.credentials_env !== undefined ? "credentials_env" : "credentials_file"}`;
  const text = await readSecret({ env: account.credentials_env, file: account.credentials_file }, setting);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OmnifeedError("config", `${setting}: the service account key is not JSON`);
  }
  const key = ServiceAccountKeySchema.safeParse(json);
  if (!key.success) {
    const missing = key.error.issues.map((issue) => String(issue.path[0] ?? "")).join(", ");
    throw new OmnifeedError("config", `${setting}: the service account key lacks ${missing}`);
  }
  return key.data;
}

type ServiceAccountKey = GoogleClientOptions["key"];

/**
 * The Google publisher for an account, with client options a test can shorten (retries,
 * backoff). `googlePublisher.create` is this with the defaults.
 */
export async function createGooglePublisher(
  settings: Readonly<Record<string, unknown>>,
  tuning: Pick<GoogleClientOptions, "attempts" | "baseDelayMs" | "maxDelayMs" | "refreshBeforeMs"> = {},
): Promise<GooglePublisher> {
  const account = accountOf(settings);
  const merchantId = String(required(account.merchant_id, "merchant_id", "the Merchant Center account id"));
  const dataSource = String(
    required(account.data_source, "data_source", "the id of the API data source the products go into"),
  );
  const key = await serviceAccountKeyOf(account);
  const client = new GoogleMerchantClient({
    apiUrl: account.api_url ?? MERCHANT_API_URL,
    tokenUrl: account.token_url ?? GOOGLE_TOKEN_URL,
    key,
    merchantId,
    dataSource,
    ...tuning,
  });
  return new GooglePublisher(client, {
    merchantId,
    dataSource,
    feedLabel: account.feed_label ?? "US",
    contentLanguage: account.language ?? "en",
  });
}

interface Target {
  merchantId: string;
  dataSource: string;
  feedLabel: string;
  contentLanguage: string;
}

export class GooglePublisher implements ChannelPublisher {
  readonly channel = "google" as const;
  readonly account: string;
  /** No multi-item call saves quota on the Merchant API: a batch is only what one `send` holds. */
  readonly maxBatch = 1000;
  /** Outcomes are stored after every 8 rounds of the 8 calls in flight. */
  readonly checkpointEvery = CONCURRENCY * 8;

  constructor(
    private readonly client: GoogleMerchantClient,
    private readonly target: Target,
  ) {
    this.account = `${target.merchantId}/${target.dataSource}`;
  }

  async send(changes: readonly Change[], context: PublishContext): Promise<ItemOutcome[]> {
    // Bad credentials stop the whole call: the calls still queued would all be refused the same way.
    const stop = new AbortController();
    const signal = AbortSignal.any([context.signal, stop.signal]);
    let fatal: Error | undefined;
    const outcomes = await mapLimited(changes, CONCURRENCY, async (change) => {
      try {
        return await this.sendOne(change, { signal, limiter: context.limiter });
      } catch (error) {
        if (isOmnifeedError(error) && (error.kind === "auth" || error.kind === "config")) {
          fatal ??= error;
          stop.abort(error);
        }
        return failedOutcome(change, error, signal);
      }
    });
    if (fatal !== undefined) throw fatal;
    return outcomes;
  }

  async *list(context: PublishContext): AsyncIterable<RemoteItem[]> {
    let pageToken: string | undefined;
    do {
      const page = await this.client.listProducts(pageToken, { signal: context.signal });
      // The account may hold other feed labels, languages or file sources: keep our key space.
      yield page.products
        .filter(
          (product) =>
            product.feedLabel === this.target.feedLabel &&
            product.contentLanguage === this.target.contentLanguage,
        )
        .map(remoteItemOf);
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  async get(keys: readonly string[], context: PublishContext): Promise<RemoteItem[]> {
    const products = await mapLimited(keys, CONCURRENCY, (key) =>
      this.client.getProduct(this.productId(key), { signal: context.signal }),
    );
    return products.filter((product): product is Product => product !== undefined).map(remoteItemOf);
  }

  private productId(key: string): string {
    return this.client.productId(this.target.contentLanguage, this.target.feedLabel, key);
  }

  private async sendOne(change: Change, context: PublishContext): Promise<ItemOutcome> {
    const productId = this.productId(change.key);
    if (change.op === "delete") {
      try {
        await this.client.deleteProductInput(productId, context);
      } catch (error) {
        // Already gone (deleted in Merchant Center, or by an earlier run that lost its answer).
        if (!isOmnifeedError(error, "not_found")) throw error;
      }
      return { key: change.key, op: change.op, status: "accepted", issues: [] };
    }
    const values = change.values;
    if (!values) {
      throw new OmnifeedError("config", `google: a ${change.op} of ${change.key} came without values`);
    }
    if (change.op === "create" || change.sections.includes("content")) {
      return this.insert(change, values, context);
    }
    // The cheap path: only the changed sections' attributes, named in the update mask.
    const picked = valuesOfSections(values, change.sections, googleSectionOf);
    const mask = [
      ...(change.sections.includes("price") ? PRICE_MASK : []),
      ...(change.sections.includes("inventory") ? INVENTORY_MASK : []),
    ];
    let remoteId: string | undefined;
    try {
      const answer = await this.client.patchProductInput(
        productId,
        { productAttributes: productAttributesOf(picked) },
        mask,
        context,
      );
      remoteId = answer.product;
    } catch (error) {
      // Deleted behind our back: the update carries every value, so put it back whole.
      if (isOmnifeedError(error, "not_found")) return this.insert(change, values, context);
      if (isOmnifeedError(error, "rejected")) return rejectedOutcome(change, error);
      throw error;
    }
    if (change.sections.includes("inventory")) {
      const rejected = await this.replaceLocalInventory(change, productId, values, context, true);
      if (rejected) return rejected;
    }
    return {
      key: change.key,
      op: change.op,
      status: "accepted",
      issues: [],
      remoteId: remoteId ?? this.productName(productId),
    };
  }

  private async insert(change: Change, values: PublishValues, context: PublishContext): Promise<ItemOutcome> {
    const input = {
      offerId: change.key,
      contentLanguage: this.target.contentLanguage,
      feedLabel: this.target.feedLabel,
      productAttributes: productAttributesOf(values),
    };
    let remoteId: string | undefined;
    try {
      remoteId = (await this.client.insertProductInput(input, context)).product;
    } catch (error) {
      if (isOmnifeedError(error, "rejected")) return rejectedOutcome(change, error);
      throw error;
    }
    const productId = this.productId(change.key);
    const rejected = await this.replaceLocalInventory(
      change,
      productId,
      values,
      context,
      change.op !== "create",
    );
    if (rejected) return rejected;
    return {
      key: change.key,
      op: change.op,
      status: "accepted",
      issues: [],
      remoteId: remoteId ?? this.productName(productId),
    };
  }

  /**
   * Sends the item's store stock (`localInventories.insert` replaces one store's), and on an
   * update removes the stores the item no longer has. A refused store row rejects the item.
   */
  private async replaceLocalInventory(
    change: Change,
    productId: string,
    values: PublishValues,
    context: PublishContext,
    removeStale: boolean,
  ): Promise<ItemOutcome | undefined> {
    const rows = localInventoriesOf(values);
    try {
      for (const row of rows) await this.client.insertLocalInventory(productId, row, context);
      if (!removeStale) return undefined;
      const kept = new Set(rows.map((row) => String(row.storeCode)));
      let stores: string[] = [];
      try {
        stores = await this.client.listLocalInventoryStores(productId, { signal: context.signal });
      } catch (error) {
        if (!isOmnifeedError(error, "not_found")) throw error;
      }
      for (const store of stores) {
        if (!kept.has(store)) await this.client.deleteLocalInventory(productId, store, context);
      }
      return undefined;
    } catch (error) {
      if (isOmnifeedError(error, "rejected")) return rejectedOutcome(change, error);
      throw error;
    }
  }

  private productName(productId: string): string {
    return `accounts/${this.target.merchantId}/products/${productId}`;
  }
}

function rejectedOutcome(change: Change, error: unknown): ItemOutcome {
  const detail = error instanceof GoogleApiError ? error.detail : undefined;
  const issue: ChannelIssue = {
    code: detail?.reason ?? "rejected",
    message: detail?.message || (error instanceof Error ? error.message : String(error)),
    severity: "error",
    ...(detail?.attribute ? { attribute: detail.attribute } : {}),
  };
  return { key: change.key, op: change.op, status: "rejected", issues: [issue] };
}

function failedOutcome(change: Change, error: unknown, signal: AbortSignal): ItemOutcome {
  const reason =
    signal.aborted && !isOmnifeedError(error) ? "the run was stopped before the call finished" : undefined;
  const text = isOmnifeedError(error)
    ? `${error.kind}: ${error.message}`
    : (reason ?? (error instanceof Error ? `${error.name}: ${error.message}` : String(error)));
  return { key: change.key, op: change.op, status: "failed", issues: [], error: text };
}

const SEVERITIES: Readonly<Record<string, ChannelIssue["severity"]>> = {
  DISAPPROVED: "error",
  DEMOTED: "warning",
  NOT_IMPACTED: "info",
};

/** A processed product as omnifeed reads it: typed values, status, Google's item-level issues. */
export function remoteItemOf(product: Product): RemoteItem {
  const status = product.productStatus;
  const issues: ChannelIssue[] = (status?.itemLevelIssues ?? []).map((issue) => ({
    code: issue.code ?? "unknown",
    message: [issue.description, issue.detail]
      .filter((part, index, all) => part && all.indexOf(part) === index)
      .join(": "),
    severity: SEVERITIES[issue.severity ?? ""] ?? "warning",
    ...(issue.attribute ? { attribute: issue.attribute } : {}),
  }));
  const destinations = status?.destinationStatuses ?? [];
  const approved = destinations.some((destination) => (destination.approvedCountries ?? []).length > 0);
  const pending = destinations.some((destination) => (destination.pendingCountries ?? []).length > 0);
  const disapproved =
    issues.some((issue) => issue.severity === "error") ||
    (!approved &&
      !pending &&
      destinations.some((destination) => (destination.disapprovedCountries ?? []).length > 0));
  return {
    key: product.offerId,
    values: valuesOfProduct(product.productAttributes ?? {}),
    status: disapproved ? "rejected" : !approved && pending ? "pending" : "active",
    issues,
    remoteId: product.name,
  };
}

/** Google's publisher definition, registered in `channels/publishers.ts`. */
export const googlePublisher: PublisherDefinition = {
  channel: "google",
  create: (account) => createGooglePublisher(account),
  rateLimit(account) {
    const settings = accountOf(account);
    return {
      perSecond: settings.rate_limit_per_second ?? GOOGLE_DEFAULT_RATE_LIMIT.perSecond,
      burst: settings.rate_limit_burst ?? GOOGLE_DEFAULT_RATE_LIMIT.burst,
    };
  },
  updateBudget(account) {
    return {
      updates: accountOf(account).daily_updates_per_item ?? GOOGLE_DEFAULT_DAILY_UPDATES,
      windowMs: DAY_MS,
    };
  },
};
