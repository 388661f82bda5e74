import type { ShopLocation } from "./records.js";

/**
 * The GraphQL documents of the catalog read (stores.md §1.3–1.5). Stock per location comes from
 * `inventoryItem.inventoryLevel(locationId:)` once per location (aliased `l0`, `l1`, …): an
 * object, not a connection, so a bulk query stays within two levels of connection nesting
 * (products → variants) and still carries every location's `available`.
 */

export const SHOP_QUERY = /* GraphQL */ `
  query OmnifeedShop {
    shop {
      name
      myshopifyDomain
      currencyCode
    }
  }
`;

export const LOCATIONS_QUERY = /* GraphQL */ `
  query OmnifeedLocations($after: String) {
    locations(first: 250, after: $after) {
      nodes {
        id
        name
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const VARIANT_COUNT_QUERY = /* GraphQL */ `
  query OmnifeedVariantCount($limit: Int) {
    productVariantsCount(limit: $limit) {
      count
    }
  }
`;

/** Only active products are read; drafts and archived products are left out silently. */
export function productFilter(afterProductId: number | undefined): string {
  return afterProductId === undefined ? "status:active" : `status:active AND id:>${afterProductId}`;
}

const PRODUCT_FIELDS = "id handle title descriptionHtml vendor productType status tags";

function levelFields(locations: readonly ShopLocation[]): string {
  return locations
    .map(
      (location) =>
        `${location.alias}: inventoryLevel(locationId: ${JSON.stringify(location.id)}) { quantities(names: ["available"]) { name quantity } }`,
    )
    .join(" ");
}

function variantFields(locations: readonly ShopLocation[]): string {
  return `id sku barcode price compareAtPrice position selectedOptions { name value } inventoryItem { measurement { weight { unit value } } ${levelFields(locations)} }`;
}

/** The bulk query: products (active, after an id when resuming) with their media and variants. */
export function bulkCatalogQuery(
  locations: readonly ShopLocation[],
  afterProductId: number | undefined,
): string {
  return `{ products(query: ${JSON.stringify(productFilter(afterProductId))}, sortKey: ID) { edges { node { ${PRODUCT_FIELDS} variantsCount { count } mediaCount { count } media { edges { node { id ... on MediaImage { image { url } } } } } variants { edges { node { ${variantFields(locations)} } } } } } } }`;
}

export const BULK_RUN_MUTATION = /* GraphQL */ `
  mutation OmnifeedBulkRun($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const BULK_POLL_QUERY = /* GraphQL */ `
  query OmnifeedBulkPoll($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      url
    }
  }
`;

/** Images read with a product page; a product with more gets the rest by `MORE_MEDIA_QUERY`. */
export const PAGE_MEDIA = 10;

/** One page of products with their first variants and images. */
export function catalogPageQuery(locations: readonly ShopLocation[], variantsPerProduct: number): string {
  return `query OmnifeedCatalogPage($first: Int!, $after: String, $query: String) {
    products(first: $first, after: $after, query: $query, sortKey: ID) {
      nodes { ${PRODUCT_FIELDS}
        media(first: ${PAGE_MEDIA}) { nodes { id ... on MediaImage { image { url } } } pageInfo { hasNextPage endCursor } }
        variants(first: ${variantsPerProduct}) { nodes { ${variantFields(locations)} } pageInfo { hasNextPage endCursor } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }`;
}

/** The rest of a product's variants, when it has more than one page holds. */
export function moreVariantsQuery(locations: readonly ShopLocation[], variantsPerPage: number): string {
  return `query OmnifeedMoreVariants($id: ID!, $after: String) {
    product(id: $id) {
      variants(first: ${variantsPerPage}, after: $after) { nodes { ${variantFields(locations)} } pageInfo { hasNextPage endCursor } }
    }
  }`;
}

/** The rest of a product's images (more than 50). */
export const MORE_MEDIA_QUERY = /* GraphQL */ `
  query OmnifeedMoreMedia($id: ID!, $after: String) {
    product(id: $id) {
      media(first: 250, after: $after) {
        nodes {
          id
          ... on MediaImage {
            image {
              url
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

/**
 * Requested cost of one product node of `catalogPageQuery` by Shopify's rules (object 1,
 * connection 2 + first × node): sizes the page so a query stays under 1,000 points.
 */
export function productNodeCost(locationCount: number, variantsPerProduct: number): number {
  // A media node: the node 1, image 1.
  const media = 2 + PAGE_MEDIA * 2;
  return 1 + media + 2 + variantsPerProduct * variantNodeCost(locationCount);
}

/**
 * Cost of one variant node of `variantFields`: the node 1, selectedOptions 1, inventoryItem 1,
 * measurement 1, weight 1, and per location its level 1 + quantities 1. Requested and actual
 * alike when the variant is stocked everywhere: what reading a catalog page by page costs per
 * variant, which bounds a paged read to `restoreRate / variantNodeCost` variants a second.
 */
export function variantNodeCost(locationCount: number): number {
  return 1 + 4 + 2 * locationCount;
}

/** Variants per `moreVariantsQuery` page that keep it under `maxCost` (product 1, connection 2). */
export function moreVariantsPageSize(locationCount: number, maxCost: number): number {
  return Math.max(1, Math.min(250, Math.floor((maxCost - 3) / variantNodeCost(locationCount))));
}
