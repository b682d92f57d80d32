import type { Mutation, Query, Subscription } from './generated/schema.js';

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
export type PipelineResolver = RootField & { kind: 'pipeline'; code: string; functions: readonly FunctionName[] };

/** One entry of the manifest. */
export type ResolverEntry = UnitResolver | PipelineResolver;

/** Pipeline functions by name. */
export const functions = {
  authorizeVendorProduct: { code: 'pipeline/authorizeVendorProduct.ts', dataSource: 'none' },
  upsertProduct: { code: 'pipeline/upsertProduct.ts', dataSource: 'table' },
} as const satisfies Record<string, { code: string; dataSource: DataSourceName }>;

/** The name of a pipeline function. */
export type FunctionName = keyof typeof functions;

/** Every resolver of the API. */
export const resolvers: readonly ResolverEntry[] = [
  { typeName: 'Query', fieldName: 'getOrder', kind: 'unit', code: 'Query.getOrder.ts', dataSource: 'table' },
  { typeName: 'Query', fieldName: 'getProduct', kind: 'unit', code: 'Query.getProduct.ts', dataSource: 'table' },
  { typeName: 'Query', fieldName: 'listProducts', kind: 'unit', code: 'Query.listProducts.ts', dataSource: 'table' },
  {
    typeName: 'Query',
    fieldName: 'askAboutOrders',
    kind: 'unit',
    code: 'Query.askAboutOrders.ts',
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
