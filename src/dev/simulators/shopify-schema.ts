import { buildSchema, type GraphQLSchema } from "graphql";

/**
 * The part of Shopify's Admin GraphQL schema the simulator serves (../shared/reference/stores.md
 * §1.3–1.8): products and variants with cursor connections, inventory per location, bulk
 * operations, `orderCreate` and order lookups, fulfillment orders, fulfillments and tracking.
 * Names, types and nullability follow the Admin API; what is left out is simply absent, so a
 * query for it fails validation here as a typo would on Shopify.
 */
const SDL = /* GraphQL */ `
  scalar DateTime
  scalar Decimal
  scalar Money
  scalar URL
  scalar HTML
  scalar UnsignedInt64

  interface Node {
    id: ID!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type Count {
    count: Int!
  }

  enum ProductStatus {
    ACTIVE
    ARCHIVED
    DRAFT
  }

  enum ProductSortKeys {
    ID
    TITLE
    UPDATED_AT
    CREATED_AT
  }

  enum ProductVariantSortKeys {
    ID
    POSITION
    SKU
  }

  enum ProductVariantInventoryPolicy {
    DENY
    CONTINUE
  }

  enum MediaContentType {
    IMAGE
  }

  type Image {
    id: ID
    url: URL!
    altText: String
  }

  interface Media {
    id: ID!
    alt: String
    mediaContentType: MediaContentType!
  }

  type MediaImage implements Media & Node {
    id: ID!
    alt: String
    mediaContentType: MediaContentType!
    image: Image
  }

  type MediaEdge {
    cursor: String!
    node: Media!
  }

  type MediaConnection {
    edges: [MediaEdge!]!
    nodes: [Media!]!
    pageInfo: PageInfo!
  }

  type ProductOption {
    id: ID!
    name: String!
    position: Int!
    values: [String!]!
  }

  type SelectedOption {
    name: String!
    value: String!
  }

  type Product implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    handle: String!
    title: String!
    description: String!
    descriptionHtml: HTML!
    vendor: String!
    productType: String!
    status: ProductStatus!
    tags: [String!]!
    onlineStoreUrl: URL
    createdAt: DateTime!
    updatedAt: DateTime!
    totalInventory: Int!
    options(first: Int): [ProductOption!]!
    featuredMedia: Media
    media(first: Int, after: String, last: Int, before: String): MediaConnection!
    variants(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean
      sortKey: ProductVariantSortKeys
    ): ProductVariantConnection!
    variantsCount: Count
    mediaCount: Count
  }

  type ProductEdge {
    cursor: String!
    node: Product!
  }

  type ProductConnection {
    edges: [ProductEdge!]!
    nodes: [Product!]!
    pageInfo: PageInfo!
  }

  type ProductVariant implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    title: String!
    displayName: String!
    sku: String
    barcode: String
    price: Money!
    compareAtPrice: Money
    position: Int!
    inventoryQuantity: Int
    inventoryPolicy: ProductVariantInventoryPolicy!
    availableForSale: Boolean!
    selectedOptions: [SelectedOption!]!
    inventoryItem: InventoryItem!
    product: Product!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type ProductVariantEdge {
    cursor: String!
    node: ProductVariant!
  }

  type ProductVariantConnection {
    edges: [ProductVariantEdge!]!
    nodes: [ProductVariant!]!
    pageInfo: PageInfo!
  }

  type Location implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    name: String!
    isActive: Boolean!
  }

  type LocationEdge {
    cursor: String!
    node: Location!
  }

  type LocationConnection {
    edges: [LocationEdge!]!
    nodes: [Location!]!
    pageInfo: PageInfo!
  }

  type InventoryQuantity {
    name: String!
    quantity: Int!
    updatedAt: DateTime
  }

  type InventoryLevel {
    id: ID!
    location: Location!
    item: InventoryItem!
    quantities(names: [String!]!): [InventoryQuantity!]!
    updatedAt: DateTime!
  }

  type InventoryLevelEdge {
    cursor: String!
    node: InventoryLevel!
  }

  type InventoryLevelConnection {
    edges: [InventoryLevelEdge!]!
    nodes: [InventoryLevel!]!
    pageInfo: PageInfo!
  }

  enum WeightUnit {
    GRAMS
    KILOGRAMS
    OUNCES
    POUNDS
  }

  type Weight {
    unit: WeightUnit!
    value: Float!
  }

  type InventoryItemMeasurement {
    id: ID!
    weight: Weight
  }

  type InventoryItem implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    sku: String
    tracked: Boolean!
    variant: ProductVariant!
    measurement: InventoryItemMeasurement!
    inventoryLevel(locationId: ID!): InventoryLevel
    inventoryLevels(first: Int, after: String, last: Int, before: String): InventoryLevelConnection!
  }

  enum BulkOperationStatus {
    CANCELED
    CANCELING
    COMPLETED
    CREATED
    EXPIRED
    FAILED
    RUNNING
  }

  enum BulkOperationType {
    MUTATION
    QUERY
  }

  enum BulkOperationErrorCode {
    ACCESS_DENIED
    INTERNAL_SERVER_ERROR
    TIMEOUT
  }

  type BulkOperation implements Node {
    id: ID!
    status: BulkOperationStatus!
    errorCode: BulkOperationErrorCode
    objectCount: UnsignedInt64!
    rootObjectCount: UnsignedInt64!
    fileSize: UnsignedInt64
    url: URL
    partialDataUrl: URL
    createdAt: DateTime!
    completedAt: DateTime
    query: String!
    type: BulkOperationType!
  }

  type BulkOperationEdge {
    cursor: String!
    node: BulkOperation!
  }

  type BulkOperationConnection {
    edges: [BulkOperationEdge!]!
    nodes: [BulkOperation!]!
    pageInfo: PageInfo!
  }

  enum BulkOperationUserErrorCode {
    INVALID
    OPERATION_IN_PROGRESS
    LIMIT_REACHED
  }

  type BulkOperationUserError {
    field: [String!]
    message: String!
    code: BulkOperationUserErrorCode
  }

  type BulkOperationRunQueryPayload {
    bulkOperation: BulkOperation
    userErrors: [BulkOperationUserError!]!
  }

  type BulkOperationCancelPayload {
    bulkOperation: BulkOperation
    userErrors: [UserError!]!
  }

  type UserError {
    field: [String!]
    message: String!
  }

  enum CurrencyCode {
    USD
    EUR
    GBP
    CAD
    AUD
    JPY
    CHF
    SEK
    DKK
    NOK
    PLN
  }

  type MoneyV2 {
    amount: Decimal!
    currencyCode: CurrencyCode!
  }

  type MoneyBag {
    shopMoney: MoneyV2!
    presentmentMoney: MoneyV2!
  }

  type MailingAddress {
    firstName: String
    lastName: String
    name: String
    company: String
    address1: String
    address2: String
    city: String
    province: String
    provinceCode: String
    country: String
    countryCodeV2: String
    zip: String
    phone: String
  }

  type Attribute {
    key: String!
    value: String
  }

  enum OrderDisplayFinancialStatus {
    AUTHORIZED
    EXPIRED
    PAID
    PARTIALLY_PAID
    PARTIALLY_REFUNDED
    PENDING
    REFUNDED
    VOIDED
  }

  enum OrderDisplayFulfillmentStatus {
    FULFILLED
    IN_PROGRESS
    ON_HOLD
    OPEN
    PARTIALLY_FULFILLED
    PENDING_FULFILLMENT
    RESTOCKED
    SCHEDULED
    UNFULFILLED
  }

  enum OrderCancelReason {
    CUSTOMER
    DECLINED
    FRAUD
    INVENTORY
    OTHER
    STAFF
  }

  type LineItem implements Node {
    id: ID!
    name: String!
    title: String!
    variantTitle: String
    sku: String
    vendor: String
    quantity: Int!
    currentQuantity: Int!
    unfulfilledQuantity: Int!
    requiresShipping: Boolean!
    taxable: Boolean!
    variant: ProductVariant
    product: Product
    originalUnitPriceSet: MoneyBag!
    customAttributes: [Attribute!]!
  }

  type LineItemEdge {
    cursor: String!
    node: LineItem!
  }

  type LineItemConnection {
    edges: [LineItemEdge!]!
    nodes: [LineItem!]!
    pageInfo: PageInfo!
  }

  type ShippingLine {
    id: ID
    title: String!
    code: String
    source: String
    originalPriceSet: MoneyBag!
  }

  type ShippingLineEdge {
    cursor: String!
    node: ShippingLine!
  }

  type ShippingLineConnection {
    edges: [ShippingLineEdge!]!
    nodes: [ShippingLine!]!
    pageInfo: PageInfo!
  }

  type Order implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    name: String!
    email: String
    phone: String
    note: String
    poNumber: String
    test: Boolean!
    tags: [String!]!
    sourceName: String
    sourceIdentifier: String
    sourceUrl: URL
    createdAt: DateTime!
    updatedAt: DateTime!
    processedAt: DateTime!
    closed: Boolean!
    closedAt: DateTime
    cancelledAt: DateTime
    cancelReason: OrderCancelReason
    currencyCode: CurrencyCode!
    taxesIncluded: Boolean!
    displayFinancialStatus: OrderDisplayFinancialStatus
    displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
    subtotalPriceSet: MoneyBag
    totalShippingPriceSet: MoneyBag!
    totalPriceSet: MoneyBag!
    shippingAddress: MailingAddress
    billingAddress: MailingAddress
    customAttributes: [Attribute!]!
    lineItems(first: Int, after: String, last: Int, before: String): LineItemConnection!
    shippingLines(first: Int, after: String): ShippingLineConnection!
    fulfillments(first: Int): [Fulfillment!]!
    fulfillmentOrders(first: Int, after: String): FulfillmentOrderConnection!
  }

  type OrderEdge {
    cursor: String!
    node: Order!
  }

  type OrderConnection {
    edges: [OrderEdge!]!
    nodes: [Order!]!
    pageInfo: PageInfo!
  }

  enum OrderSortKeys {
    ID
    CREATED_AT
    PROCESSED_AT
    UPDATED_AT
  }

  enum FulfillmentStatus {
    CANCELLED
    ERROR
    FAILURE
    SUCCESS
  }

  type FulfillmentTrackingInfo {
    company: String
    number: String
    url: URL
  }

  type FulfillmentLineItem {
    id: ID!
    quantity: Int
    lineItem: LineItem!
  }

  type FulfillmentLineItemEdge {
    cursor: String!
    node: FulfillmentLineItem!
  }

  type FulfillmentLineItemConnection {
    edges: [FulfillmentLineItemEdge!]!
    nodes: [FulfillmentLineItem!]!
    pageInfo: PageInfo!
  }

  type Fulfillment implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    name: String!
    status: FulfillmentStatus!
    createdAt: DateTime!
    updatedAt: DateTime!
    order: Order!
    trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
    fulfillmentLineItems(first: Int, after: String): FulfillmentLineItemConnection!
  }

  enum FulfillmentOrderStatus {
    CANCELLED
    CLOSED
    INCOMPLETE
    IN_PROGRESS
    ON_HOLD
    OPEN
    SCHEDULED
  }

  type FulfillmentOrderLineItem {
    id: ID!
    totalQuantity: Int!
    remainingQuantity: Int!
    lineItem: LineItem!
  }

  type FulfillmentOrderLineItemEdge {
    cursor: String!
    node: FulfillmentOrderLineItem!
  }

  type FulfillmentOrderLineItemConnection {
    edges: [FulfillmentOrderLineItemEdge!]!
    nodes: [FulfillmentOrderLineItem!]!
    pageInfo: PageInfo!
  }

  type FulfillmentOrder implements Node {
    id: ID!
    status: FulfillmentOrderStatus!
    orderId: ID!
    lineItems(first: Int, after: String): FulfillmentOrderLineItemConnection!
  }

  type FulfillmentOrderEdge {
    cursor: String!
    node: FulfillmentOrder!
  }

  type FulfillmentOrderConnection {
    edges: [FulfillmentOrderEdge!]!
    nodes: [FulfillmentOrder!]!
    pageInfo: PageInfo!
  }

  enum OrderCreateInputsInventoryBehavior {
    BYPASS
    DECREMENT_IGNORING_POLICY
    DECREMENT_OBEYING_POLICY
  }

  enum OrderCreateFinancialStatus {
    AUTHORIZED
    EXPIRED
    PAID
    PARTIALLY_PAID
    PARTIALLY_REFUNDED
    PENDING
    REFUNDED
    VOIDED
  }

  enum OrderTransactionKind {
    AUTHORIZATION
    CAPTURE
    CHANGE
    EMV_AUTHORIZATION
    REFUND
    SALE
    SUGGESTED_REFUND
    VOID
  }

  enum OrderTransactionStatus {
    AWAITING_RESPONSE
    ERROR
    FAILURE
    PENDING
    SUCCESS
    UNKNOWN
  }

  input MoneyInput {
    amount: Decimal!
    currencyCode: CurrencyCode!
  }

  input MoneyBagInput {
    shopMoney: MoneyInput!
    presentmentMoney: MoneyInput
  }

  input MailingAddressInput {
    firstName: String
    lastName: String
    company: String
    address1: String
    address2: String
    city: String
    provinceCode: String
    countryCode: String
    zip: String
    phone: String
  }

  input AttributeInput {
    key: String!
    value: String!
  }

  input OrderCreateLineItemPropertyInput {
    name: String!
    value: String!
  }

  input OrderCreateLineItemInput {
    variantId: ID
    productId: ID
    quantity: Int!
    priceSet: MoneyBagInput
    sku: String
    title: String
    variantTitle: String
    vendor: String
    properties: [OrderCreateLineItemPropertyInput!]
    requiresShipping: Boolean
    taxable: Boolean
    giftCard: Boolean
  }

  input OrderCreateShippingLineInput {
    title: String!
    code: String
    source: String
    priceSet: MoneyBagInput!
  }

  input OrderCreateOrderTransactionInput {
    kind: OrderTransactionKind
    status: OrderTransactionStatus
    gateway: String
    amountSet: MoneyBagInput!
    processedAt: DateTime
    test: Boolean
  }

  input OrderCreateCustomerToUpsertInput {
    email: String
    firstName: String
    lastName: String
    phone: String
  }

  input OrderCreateCustomerToAssociateInput {
    id: ID
    email: String
  }

  input OrderCreateCustomerInput {
    toUpsert: OrderCreateCustomerToUpsertInput
    toAssociate: OrderCreateCustomerToAssociateInput
  }

  input OrderCreateOrderInput {
    billingAddress: MailingAddressInput
    buyerAcceptsMarketing: Boolean
    currency: CurrencyCode
    presentmentCurrency: CurrencyCode
    customAttributes: [AttributeInput!]
    customer: OrderCreateCustomerInput
    email: String
    phone: String
    financialStatus: OrderCreateFinancialStatus
    lineItems: [OrderCreateLineItemInput!]
    name: String
    note: String
    poNumber: String
    processedAt: DateTime
    shippingAddress: MailingAddressInput
    shippingLines: [OrderCreateShippingLineInput!]
    sourceIdentifier: String
    sourceName: String
    sourceUrl: URL
    tags: [String!]
    taxesIncluded: Boolean
    test: Boolean
    transactions: [OrderCreateOrderTransactionInput!]
  }

  input OrderCreateOptionsInput {
    inventoryBehaviour: OrderCreateInputsInventoryBehavior
    sendReceipt: Boolean
    sendFulfillmentReceipt: Boolean
  }

  enum OrderCreateUserErrorCode {
    INVALID
    BLANK
    NOT_FOUND
    TOO_MANY
    INVENTORY_NOT_AVAILABLE
    TAKEN
  }

  type OrderCreateUserError {
    field: [String!]
    message: String!
    code: OrderCreateUserErrorCode
  }

  type OrderCreatePayload {
    order: Order
    userErrors: [OrderCreateUserError!]!
  }

  input FulfillmentTrackingInput {
    company: String
    number: String
    numbers: [String!]
    url: URL
    urls: [URL!]
  }

  input FulfillmentOrderLineItemInput {
    id: ID!
    quantity: Int!
  }

  input FulfillmentOrderLineItemsInput {
    fulfillmentOrderId: ID!
    fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!]
  }

  input FulfillmentInput {
    lineItemsByFulfillmentOrder: [FulfillmentOrderLineItemsInput!]!
    trackingInfo: FulfillmentTrackingInput
    notifyCustomer: Boolean
  }

  type FulfillmentCreatePayload {
    fulfillment: Fulfillment
    userErrors: [UserError!]!
  }

  type FulfillmentTrackingInfoUpdatePayload {
    fulfillment: Fulfillment
    userErrors: [UserError!]!
  }

  type Job {
    id: ID!
    done: Boolean!
  }

  enum OrderCancelUserErrorCode {
    INVALID
    NOT_FOUND
    NO_REFUND_PERMISSION
  }

  type OrderCancelUserError {
    field: [String!]
    message: String!
    code: OrderCancelUserErrorCode
  }

  type OrderCancelPayload {
    job: Job
    orderCancelUserErrors: [OrderCancelUserError!]!
    userErrors: [UserError!]!
  }

  type Query {
    shop: Shop!
    node(id: ID!): Node
    product(id: ID!): Product
    productVariant(id: ID!): ProductVariant
    products(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean
      sortKey: ProductSortKeys
      query: String
    ): ProductConnection!
    productVariants(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean
      sortKey: ProductVariantSortKeys
      query: String
    ): ProductVariantConnection!
    productVariantsCount(query: String, limit: Int): Count
    locations(first: Int, after: String, last: Int, before: String): LocationConnection!
    order(id: ID!): Order
    orders(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean
      sortKey: OrderSortKeys
      query: String
    ): OrderConnection!
    fulfillment(id: ID!): Fulfillment
    bulkOperation(id: ID!): BulkOperation
    bulkOperations(
      first: Int
      after: String
      last: Int
      before: String
      reverse: Boolean
      query: String
    ): BulkOperationConnection!
    currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
      @deprecated(reason: "Use bulkOperation(id:) or bulkOperations(query:) instead.")
  }

  type Shop {
    id: ID!
    name: String!
    myshopifyDomain: String!
    currencyCode: CurrencyCode!
    ianaTimezone: String!
  }

  type Mutation {
    bulkOperationRunQuery(query: String!, groupObjects: Boolean): BulkOperationRunQueryPayload
    bulkOperationCancel(id: ID!): BulkOperationCancelPayload
    orderCreate(order: OrderCreateOrderInput!, options: OrderCreateOptionsInput): OrderCreatePayload
    fulfillmentCreate(fulfillment: FulfillmentInput!, message: String): FulfillmentCreatePayload
    orderCancel(
      orderId: ID!
      reason: OrderCancelReason!
      restock: Boolean!
      refund: Boolean
      notifyCustomer: Boolean
      staffNote: String
    ): OrderCancelPayload
    fulfillmentTrackingInfoUpdate(
      fulfillmentId: ID!
      trackingInfoInput: FulfillmentTrackingInput!
      notifyCustomer: Boolean
    ): FulfillmentTrackingInfoUpdatePayload
  }
`;

let built: GraphQLSchema | undefined;

/** The schema, built once per process (buildSchema validates the SDL itself). */
export function shopifySchema(): GraphQLSchema {
  built ??= buildSchema(SDL);
  return built;
}
