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

/** Reads the items of a TransactWriteItems input, unmetered. */
export interface TransactionImageReader {
  /**
   * The current items of `input.TransactItems`, in their order; undefined when they cannot be read (a
   * malformed request, an unknown table: DynamoDB Local refuses the transaction itself for the same
   * reason), so the meter never fails a call it only watches.
   */
  read(input: Readonly<Record<string, unknown>>): Promise<TransactionImage | undefined>;
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
  const keyNames = new Map<string, Promise<string[]>>();
  const keysOf = (table: string) => {
    let names = keyNames.get(table);
    if (!names) {
      names = client
        .send(new DescribeTableCommand({ TableName: table }))
        .then((out) => (out.Table?.KeySchema ?? []).map((k) => k.AttributeName!));
      names.catch(() => keyNames.delete(table));
      keyNames.set(table, names);
    }
    return names;
  };
  return {
    read: (input) => read(input).catch(() => undefined),
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
        if (kind !== 'Put') return part.Key ? { TableName: part.TableName, Key: part.Key } : undefined;
        const names = await keysOf(part.TableName);
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
