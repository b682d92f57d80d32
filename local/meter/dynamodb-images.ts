/**
 * The items a transaction touches, read before and after it, so the meter can size each one as AWS
 * bills it: DynamoDB Local reports too few units for TransactWriteItems (it holds items to 1 KB), and a
 * transaction's request alone does not say how large an updated, deleted or checked item is.
 *
 * The reads go straight to DynamoDB Local on their own client, so they are not metered themselves, and
 * they run only where a meter is attached. They are one TransactGetItems per side (before and after),
 * so each side is a consistent snapshot; a write by someone else between the snapshot and the
 * transaction can still shift a size, which only the real service would see.
 */
import {
  DescribeTableCommand,
  DynamoDBClient,
  TransactGetItemsCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

/** One side (before or after) of a transaction: each TransactItem's item, undefined when there is none. */
export type TransactionImage = readonly (Readonly<Record<string, object>> | undefined)[];

/** A secondary index as DescribeTable states it: its key attributes and what it projects. */
export interface IndexShape {
  readonly name: string;
  readonly keys: readonly string[];
  readonly projection: 'KEYS_ONLY' | 'INCLUDE' | 'ALL';
  /** INCLUDE's non-key attributes. */
  readonly include?: readonly string[];
}

/** What the meter needs of a table to price its index writes: its own keys and its secondary indexes. */
export interface TableShape {
  readonly keys: readonly string[];
  readonly indexes: readonly IndexShape[];
}

/** Reads the items of a TransactWriteItems input, unmetered. */
export interface TransactionImageReader {
  /**
   * The current items of `input.TransactItems`, in their order; undefined when they cannot be read (a
   * malformed request, an unknown table: DynamoDB Local refuses the transaction itself for the same
   * reason), so the meter never fails a call it only watches.
   */
  read(input: Readonly<Record<string, unknown>>): Promise<TransactionImage | undefined>;
  /**
   * The shapes of the tables `input.TransactItems` writes, as read by `read` (so only after it);
   * undefined while any of them is unknown.
   */
  tablesOf(input: Readonly<Record<string, unknown>>): Readonly<Record<string, TableShape>> | undefined;
  destroy(): void;
}

/** TransactGetItems takes at most 100 items; DynamoDB Local's older builds 25. */
const GET_CHUNK = 25;

/** A reader on DynamoDB Local at `endpoint` (its own client: its reads never pass a meter). */
export function createTransactionImageReader(endpoint: string): TransactionImageReader {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const shapes = new Map<string, Promise<TableShape>>();
  const known = new Map<string, TableShape>();
  const shapeOf = (table: string) => {
    let shape = shapes.get(table);
    if (!shape) {
      shape = client.send(new DescribeTableCommand({ TableName: table })).then((out) => {
        const described = tableShape(out.Table ?? {});
        known.set(table, described);
        return described;
      });
      shape.catch(() => shapes.delete(table));
      shapes.set(table, shape);
    }
    return shape;
  };
  const keysOf = async (table: string) => (await shapeOf(table)).keys;
  return {
    read: (input) => read(input).catch(() => undefined),
    tablesOf(input) {
      const out: Record<string, TableShape> = {};
      for (const table of tablesIn(input)) {
        const shape = known.get(table);
        if (!shape) return undefined;
        out[table] = shape;
      }
      return out;
    },
    destroy: () => client.destroy(),
  };

  async function read(input: Readonly<Record<string, unknown>>): Promise<TransactionImage> {
    const actions = Array.isArray(input.TransactItems) ? (input.TransactItems as object[]) : [];
    const gets = await Promise.all(
      actions.map(async (action) => {
        const [kind, part] = (Object.entries(action ?? {})[0] ?? []) as [
          string | undefined,
          { TableName?: string; Key?: Item; Item?: Item } | undefined,
        ];
        if (!kind || !part?.TableName) return undefined;
        const names = await keysOf(part.TableName); // also learns the table's indexes (tablesOf)
        if (kind !== 'Put') return part.Key ? { TableName: part.TableName, Key: part.Key } : undefined;
        const item = part.Item ?? {};
        return { TableName: part.TableName, Key: Object.fromEntries(names.map((n) => [n, item[n]!])) };
      }),
    );
    const wanted = gets.flatMap((g, i) => (g ? [{ i, get: g }] : []));
    const image: (Item | undefined)[] = actions.map(() => undefined);
    for (let at = 0; at < wanted.length; at += GET_CHUNK) {
      const chunk = wanted.slice(at, at + GET_CHUNK);
      const out = await client.send(
        new TransactGetItemsCommand({ TransactItems: chunk.map((w) => ({ Get: w.get })) }),
      );
      chunk.forEach((w, j) => (image[w.i] = out.Responses?.[j]?.Item));
    }
    return image;
  }
}

/** The tables a TransactWriteItems input names. */
function tablesIn(input: Readonly<Record<string, unknown>>): Set<string> {
  const tables = new Set<string>();
  for (const action of Array.isArray(input.TransactItems) ? (input.TransactItems as object[]) : []) {
    const part = Object.values(action ?? {})[0] as { TableName?: unknown } | undefined;
    if (typeof part?.TableName === 'string') tables.add(part.TableName);
  }
  return tables;
}

interface DescribedTable {
  readonly KeySchema?: readonly { readonly AttributeName?: string }[];
  readonly GlobalSecondaryIndexes?: readonly DescribedIndex[];
  readonly LocalSecondaryIndexes?: readonly DescribedIndex[];
}
interface DescribedIndex {
  readonly IndexName?: string;
  readonly KeySchema?: readonly { readonly AttributeName?: string }[];
  readonly Projection?: { readonly ProjectionType?: string; readonly NonKeyAttributes?: readonly string[] };
}

/** A DescribeTable answer's keys and secondary indexes. */
export function tableShape(table: DescribedTable): TableShape {
  const names = (schema: DescribedIndex['KeySchema']) => (schema ?? []).map((k) => k.AttributeName ?? '');
  const indexes = [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])].map(
    (index): IndexShape => {
      const type = index.Projection?.ProjectionType;
      const projection = type === 'INCLUDE' || type === 'ALL' ? type : 'KEYS_ONLY';
      return {
        name: index.IndexName ?? '?',
        keys: names(index.KeySchema),
        projection,
        ...(projection === 'INCLUDE' ? { include: index.Projection?.NonKeyAttributes ?? [] } : {}),
      };
    },
  );
  return { keys: names(table.KeySchema), indexes };
}
