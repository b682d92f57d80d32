/**
 * Page sizes for list fields. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** The page size when the caller gives none. */
export const DEFAULT_PAGE_SIZE = 20;
/** The largest page a caller may ask for. */
export const MAX_PAGE_SIZE = 100;

/** Returns the page size to use, or an error message when the requested limit is out of range. */
export function pageSize(limit: number | null | undefined): { limit: number; error: string | null } {
  if (limit === null || limit === undefined) return { limit: DEFAULT_PAGE_SIZE, error: null };
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    return {
      limit: DEFAULT_PAGE_SIZE,
      error: `limit must be between 1 and ${MAX_PAGE_SIZE}, received ${limit}`,
    };
  }
  return { limit, error: null };
}

/**
 * Sharded lists. A list whose partition takes writes from every order is spread over write shards
 * (domain/keys.ts); a page queries every shard newest first, merges them by sort key and keeps the first
 * `limit`. Its nextToken holds one position per shard, and each position is a nextToken AppSync itself
 * issued for that shard's query (sealed and bound to the table and index, and DynamoDB refuses one
 * outside its query's partition), so the wrapper adds no key of its own that a client could forge: it
 * only names the list, and a token of another list is refused.
 */

/** Where one shard of a list stands: a sealed AppSync nextToken, the top of the shard, or done. */
export type ShardCursor = string | 'top' | 'done';

/** What AppSync answers for a nextToken it did not issue or that was changed (the DynamoDB resolvers' error). */
export const INVALID_PAGE_TOKEN = {
  type: 'DynamoDB:UserIllegalArgumentException',
  message:
    'com.amazonaws.deepdish.common.pagination.InvalidPaginationTokenException: Invalid pagination token given.',
} as const;

/** One list read: the index, its key names, the partitions (one per shard) and the page asked for. */
export interface ListPlan {
  /** Names the list and its filter; a token of another list is refused. */
  listId: string;
  /**
   * The GSI (KEYS_ONLY: the items are read after the merge), or null for the table, whose items are
   * whole (or, for a vendor's list, entries that name the orders to read: partsOf).
   */
  index: string | null;
  pkName: string;
  skName: string;
  /** Only sort keys with this prefix (a product list shares its partition with nothing else, but says so). */
  skPrefix: string | null;
  partitions: string[];
  /** Newest first is false. */
  forward: boolean;
  limit: number;
  cursors: ShardCursor[];
  /** Keep only items in this status, after the read (DynamoDB filter semantics: the limit applies first). */
  status: string | null;
  /**
   * A vendor's order list (Query.vendorOrders): its entries are items of the table whose sort key is
   * createdAt#orderId (domain/keys.ts vendorOrderEntryKey), so the page reads those ORDER items, keeps
   * each one's part of this vendor, and the status filter applies to that part. Null for other lists.
   */
  partsOf: string | null;
}

/** What one shard's query returned: the keys of its entries and its own nextToken. */
export interface ShardPage {
  shard: number;
  keys: Record<string, string>[];
  nextToken: string | null;
}

/** The merged page: the entries kept, in list order, and for each shard what its next position needs. */
export interface MergedPage {
  keys: Record<string, string>[];
  /** Each shard's next position, or null where a seal query must find it (the shard was read part way). */
  next: (ShardCursor | null)[];
  /** For a shard read part way, the sort key of its last entry kept. */
  lastKept: (string | null)[];
}

const TOKEN_VERSION = '1';
const SEALED_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';

/** Whether a string is non-empty base64 text, as every sealed AppSync token is. */
export function isBase64Text(text: string): boolean {
  if (text === '') return false;
  for (const ch of text.split('')) if (SEALED_ALPHABET.indexOf(ch) < 0) return false;
  return true;
}

/** The plain text of a list token (the resolver base64-encodes it); null when every shard is done. */
export function listTokenText(listId: string, cursors: ShardCursor[]): string | null {
  if (cursors.every((c) => c === 'done')) return null;
  return `${TOKEN_VERSION}\n${listId}\n${cursors.join(',')}`;
}

/** The shard cursors of a list token's plain text, or null when it is not a token of this list. */
export function parseListToken(text: string, listId: string, shards: number): ShardCursor[] | null {
  const head = `${TOKEN_VERSION}\n${listId}\n`;
  if (text.length <= head.length || text.slice(0, head.length) !== head) return null;
  const parts = text.slice(head.length).split(',');
  if (parts.length !== shards) return null;
  const cursors: ShardCursor[] = [];
  for (const part of parts) {
    if (part !== 'top' && part !== 'done' && !isBase64Text(part)) return null;
    cursors.push(part);
  }
  return cursors;
}

/**
 * Merges the shards' pages: every entry sorted by the list's sort key (newest first unless `forward`),
 * the first `limit` kept. A shard whose entries were all kept moves on to its own nextToken, one with none
 * kept stays where it was, and one read part way needs a seal query at its last kept entry.
 */
export function mergeShardPages(
  plan: Pick<ListPlan, 'skName' | 'forward' | 'limit' | 'cursors'>,
  pages: ShardPage[],
): MergedPage {
  const tagged: string[] = [];
  for (const page of pages) {
    page.keys.forEach((key, i) => {
      // The sort key first, so the default string sort orders by it; shard and position find the entry.
      tagged.push(`${key[plan.skName] ?? ''}\u0000${page.shard}\u0000${i}`);
    });
  }
  tagged.sort();
  if (!plan.forward) tagged.reverse();
  const kept = tagged.slice(0, plan.limit);
  const counts = plan.cursors.map(() => 0);
  const lastKept: (string | null)[] = plan.cursors.map(() => null);
  const keys: Record<string, string>[] = [];
  for (const tag of kept) {
    const parts = tag.split('\u0000');
    const shard = Number(parts[parts.length - 2]);
    const position = Number(parts[parts.length - 1]);
    const page = pages.find((p) => p.shard === shard);
    const key = page ? page.keys[position] : undefined;
    if (key) {
      keys.push(key);
      counts[shard] = (counts[shard] ?? 0) + 1;
      lastKept[shard] = key[plan.skName] ?? null;
    }
  }
  const next = plan.cursors.map((cursor, shard): ShardCursor | null => {
    const page = pages.find((p) => p.shard === shard);
    if (!page) return 'done';
    const count = counts[shard] ?? 0;
    if (count === page.keys.length) return page.nextToken ?? 'done';
    if (count === 0) return cursor;
    return null;
  });
  return { keys, next, lastKept };
}
