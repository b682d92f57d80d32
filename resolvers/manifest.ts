import type { Mutation, Query, Subscription } from '../domain/generated/schema.js';

/**
 * What runs where: every resolver and pipeline function, its code file (relative to resolvers/) and its
 * data source. The CDK app builds the API from this manifest, and checks it against schema.graphql at
 * synth; the local runtime never reads it (it reads what synth wrote).
 */

/** The data sources resolvers may use, by logical name. */
export type DataSourceName = 'table' | 'none' | 'assistant';

type FieldsOf<T> = Exclude<keyof T, '__typename'> & string;

/** A field on a root type, checked against the generated schema types. */
export type RootField =
  | { typeName: 'Query'; fieldName: FieldsOf<Query> }
  | { typeName: 'Mutation'; fieldName: FieldsOf<Mutation> }
  | { typeName: 'Subscription'; fieldName: FieldsOf<Subscription> };

/** A unit resolver: one code file on one data source. */
export type UnitResolver = RootField & { kind: 'unit'; code: string; dataSource: DataSourceName };

/** A pipeline resolver: before/after code plus functions in order. */
export type PipelineResolver = RootField & {
  kind: 'pipeline';
  code: string;
  functions: readonly FunctionName[];
};

/** One entry of the manifest. */
export type ResolverEntry = UnitResolver | PipelineResolver;

/** Pipeline functions by name. */
export const functions = {
  authorizeVendorProduct: { code: 'pipeline/authorizeVendorProduct.ts', dataSource: 'none' },
  upsertProduct: { code: 'pipeline/upsertProduct.ts', dataSource: 'table' },
  getPlacedOrder: { code: 'pipeline/getPlacedOrder.ts', dataSource: 'table' },
  readCatalog: { code: 'pipeline/readCatalog.ts', dataSource: 'table' },
  writeOrder: { code: 'pipeline/writeOrder.ts', dataSource: 'table' },
  // Only on a refusal of the eventually consistent catalog read: a consistent read, then the same write.
  confirmCatalog: { code: 'pipeline/confirmCatalog.ts', dataSource: 'table' },
  writeConfirmedOrder: { code: 'pipeline/writeOrder.ts', dataSource: 'table' },
  getReplayedOrder: { code: 'pipeline/getReplayedOrder.ts', dataSource: 'table' },
  getOrderItem: { code: 'pipeline/getOrderItem.ts', dataSource: 'table' },
  // The payment pipelines' order read: eventually consistent, and consistent again (confirmOrderItem)
  // only when the first read cannot be written from; then the same write decides again.
  readOrderItem: { code: 'pipeline/readOrderItem.ts', dataSource: 'table' },
  confirmOrderItem: { code: 'pipeline/getOrderItem.ts', dataSource: 'table' },
  writePaymentRequest: { code: 'pipeline/writePaymentRequest.ts', dataSource: 'table' },
  writeConfirmedPaymentRequest: { code: 'pipeline/writePaymentRequest.ts', dataSource: 'table' },
  recheckPlacedOrder: { code: 'pipeline/recheckPlacedOrder.ts', dataSource: 'table' },
  recheckPaymentRequest: { code: 'pipeline/recheckPaymentRequest.ts', dataSource: 'table' },
  writePaymentResult: { code: 'pipeline/writePaymentResult.ts', dataSource: 'table' },
  writeConfirmedPaymentResult: { code: 'pipeline/writePaymentResult.ts', dataSource: 'table' },
  recheckPaymentResult: { code: 'pipeline/recheckPaymentResult.ts', dataSource: 'table' },
  settleRefund: { code: 'pipeline/settleRefund.ts', dataSource: 'table' },
  writeCancel: { code: 'pipeline/writeCancel.ts', dataSource: 'table' },
  writeVendorOrderStatus: { code: 'pipeline/writeVendorOrderStatus.ts', dataSource: 'table' },
  // One query per write shard (domain/keys.ts LIST_SHARDS), each function running the same code in turn.
  listShard0: { code: 'pipeline/listShard.ts', dataSource: 'table' },
  listShard1: { code: 'pipeline/listShard.ts', dataSource: 'table' },
  listShard2: { code: 'pipeline/listShard.ts', dataSource: 'table' },
  listShard3: { code: 'pipeline/listShard.ts', dataSource: 'table' },
  sealShard0: { code: 'pipeline/sealShard.ts', dataSource: 'table' },
  sealShard1: { code: 'pipeline/sealShard.ts', dataSource: 'table' },
  sealShard2: { code: 'pipeline/sealShard.ts', dataSource: 'table' },
  sealShard3: { code: 'pipeline/sealShard.ts', dataSource: 'table' },
  batchGetListed: { code: 'pipeline/batchGetListed.ts', dataSource: 'table' },
  gatePaymentNotice: { code: 'pipeline/gatePaymentNotice.ts', dataSource: 'table' },
  putNotification: { code: 'pipeline/putNotification.ts', dataSource: 'table' },
  putSharedNotification: { code: 'pipeline/putSharedNotification.ts', dataSource: 'table' },
  claimSharedNotification: { code: 'pipeline/claimSharedNotification.ts', dataSource: 'table' },
} as const satisfies Record<string, { code: string; dataSource: DataSourceName }>;

/** The name of a pipeline function. */
export type FunctionName = keyof typeof functions;

/**
 * The functions of every list: the shards' key queries, their merge and seals, then the items. A list
 * with fewer partitions than functions skips the rest (nine functions, within AppSync's ten).
 */
export const LIST_FUNCTIONS: readonly FunctionName[] = [
  'listShard0',
  'listShard1',
  'listShard2',
  'listShard3',
  'sealShard0',
  'sealShard1',
  'sealShard2',
  'sealShard3',
  'batchGetListed',
];

/**
 * Every resolver of the API. The table resolvers that write transactions or batches read the table name
 * from the API's environment variable TABLE_NAME (ctx.env), which the CDK app must set.
 */
export const resolvers: readonly ResolverEntry[] = [
  { typeName: 'Query', fieldName: 'getOrder', kind: 'unit', code: 'Query.getOrder.ts', dataSource: 'table' },
  {
    typeName: 'Query',
    fieldName: 'getProduct',
    kind: 'unit',
    code: 'Query.getProduct.ts',
    dataSource: 'table',
  },
  {
    typeName: 'Query',
    fieldName: 'listProducts',
    kind: 'pipeline',
    code: 'Query.listProducts.ts',
    functions: LIST_FUNCTIONS,
  },
  {
    typeName: 'Query',
    fieldName: 'askAboutOrders',
    kind: 'unit',
    code: 'Query.askAboutOrders.ts',
    dataSource: 'assistant',
  },
  {
    typeName: 'Query',
    fieldName: 'myOrders',
    kind: 'pipeline',
    code: 'Query.myOrders.ts',
    functions: LIST_FUNCTIONS,
  },
  {
    typeName: 'Query',
    fieldName: 'vendorOrders',
    kind: 'pipeline',
    code: 'Query.vendorOrders.ts',
    functions: LIST_FUNCTIONS,
  },
  {
    typeName: 'Query',
    fieldName: 'orders',
    kind: 'pipeline',
    code: 'Query.orders.ts',
    functions: LIST_FUNCTIONS,
  },
  {
    typeName: 'Query',
    fieldName: 'myNotifications',
    kind: 'pipeline',
    code: 'Query.myNotifications.ts',
    functions: LIST_FUNCTIONS,
  },
  {
    typeName: 'Mutation',
    fieldName: 'placeOrder',
    kind: 'pipeline',
    code: 'Mutation.placeOrder.ts',
    // Its idempotency lives on the order item: the order's id is derived from the caller and the key, so
    // getPlacedOrder reads the key's order, the transaction's condition on the order refuses a second one,
    // and recheckPlacedOrder reads it again before a refusal is answered.
    functions: [
      'getPlacedOrder',
      'readCatalog',
      'writeOrder',
      'confirmCatalog',
      'writeConfirmedOrder',
      'recheckPlacedOrder',
      'getReplayedOrder',
    ],
  },
  {
    typeName: 'Mutation',
    fieldName: 'processPayment',
    kind: 'pipeline',
    code: 'Mutation.processPayment.ts',
    // Its idempotency lives on the order item: one eventually consistent read, one conditional UpdateItem.
    // Only when that read cannot be written from (missing, a refusal, a replay, a failed condition): a
    // consistent read and the same write again, and a third read when that write's condition failed.
    functions: [
      'readOrderItem',
      'writePaymentRequest',
      'confirmOrderItem',
      'writeConfirmedPaymentRequest',
      'recheckPaymentRequest',
    ],
  },
  {
    typeName: 'Mutation',
    fieldName: 'cancelOrder',
    kind: 'pipeline',
    code: 'Mutation.cancelOrder.ts',
    functions: ['getOrderItem', 'writeCancel'],
  },
  {
    typeName: 'Mutation',
    fieldName: 'updateVendorOrderStatus',
    kind: 'pipeline',
    code: 'Mutation.updateVendorOrderStatus.ts',
    functions: ['getOrderItem', 'writeVendorOrderStatus'],
  },
  {
    typeName: 'Mutation',
    fieldName: 'recordPaymentResult',
    kind: 'pipeline',
    code: 'Mutation.recordPaymentResult.ts',
    // As processPayment's: the read eventually consistent, and consistent only before any other answer.
    functions: [
      'readOrderItem',
      'writePaymentResult',
      'confirmOrderItem',
      'writeConfirmedPaymentResult',
      'recheckPaymentResult',
      'settleRefund',
    ],
  },
  {
    typeName: 'Mutation',
    fieldName: 'publishOrderStatus',
    kind: 'unit',
    code: 'Mutation.publishOrderStatus.ts',
    dataSource: 'none',
  },
  {
    typeName: 'Mutation',
    fieldName: 'publishVendorOrderStatus',
    kind: 'unit',
    code: 'Mutation.publishVendorOrderStatus.ts',
    dataSource: 'none',
  },
  {
    typeName: 'Mutation',
    fieldName: 'publishNotification',
    kind: 'pipeline',
    code: 'Mutation.publishNotification.ts',
    functions: ['gatePaymentNotice', 'putNotification'],
  },
  {
    typeName: 'Mutation',
    fieldName: 'publishSharedNotification',
    kind: 'pipeline',
    code: 'Mutation.publishSharedNotification.ts',
    functions: ['gatePaymentNotice', 'putSharedNotification', 'claimSharedNotification'],
  },
  {
    typeName: 'Subscription',
    fieldName: 'onOrderStatusChanged',
    kind: 'unit',
    code: 'Subscription.onOrderStatusChanged.ts',
    dataSource: 'none',
  },
  {
    typeName: 'Subscription',
    fieldName: 'onMyOrdersChanged',
    kind: 'unit',
    code: 'Subscription.onMyOrdersChanged.ts',
    dataSource: 'none',
  },
  {
    typeName: 'Subscription',
    fieldName: 'onVendorOrdersChanged',
    kind: 'unit',
    code: 'Subscription.onVendorOrdersChanged.ts',
    dataSource: 'none',
  },
  {
    typeName: 'Subscription',
    fieldName: 'onOrderPlaced',
    kind: 'unit',
    code: 'Subscription.onOrderPlaced.ts',
    dataSource: 'none',
  },
  {
    typeName: 'Subscription',
    fieldName: 'onNotification',
    kind: 'unit',
    code: 'Subscription.onNotification.ts',
    dataSource: 'none',
  },
  {
    typeName: 'Mutation',
    fieldName: 'updateInventory',
    kind: 'pipeline',
    code: 'pipeline/passThrough.ts',
    functions: ['authorizeVendorProduct', 'upsertProduct'],
  },
];
