import { util } from '@aws-appsync/utils';
import {
  INVALID_PAGE_TOKEN,
  isBase64Text,
  listTokenText,
  pageSize,
  parseListToken,
  type ListPlan,
  type MergedPage,
  type ShardCursor,
} from '../../domain/paging.js';
import { businessError } from '../../domain/errors.js';
import { fail } from './errors.js';

/** What a list resolver's before step decides: which index, which partitions, which filter. */
export interface ListSpec {
  listId: string;
  /** The GSI, or null for the table itself. */
  index: string | null;
  pkName: string;
  skName: string;
  skPrefix?: string | null;
  partitions: string[];
  forward?: boolean;
  status?: string | null;
  /** A vendor's order list: the vendor whose parts of the listed orders the page keeps (ListPlan.partsOf). */
  partsOf?: string | null;
}

/** The longest nextToken a list accepts (four sealed shard tokens fit many times over). */
const MAX_TOKEN_LENGTH = 16384;

/** Refuses a nextToken that is not one of this list's, as AppSync refuses a token it did not issue. */
function refuseToken(): never {
  return util.error(INVALID_PAGE_TOKEN.message, INVALID_PAGE_TOKEN.type);
}

/**
 * Starts a list read (the before step of a list pipeline): checks the page size, decodes the nextToken
 * into one position per shard, and puts the plan in the stash for the listShard, sealShard and
 * batchGetListed functions.
 */
export function startList(
  stash: Record<string, unknown>,
  spec: ListSpec,
  limit: number | null | undefined,
  nextToken: string | null | undefined,
): ListPlan {
  const page = pageSize(limit);
  if (page.error) fail(businessError('ValidationError', page.error, { field: 'limit', reason: page.error }));
  let cursors: ShardCursor[] = spec.partitions.map((): ShardCursor => 'top');
  if (nextToken !== null && nextToken !== undefined) {
    if (nextToken.length > MAX_TOKEN_LENGTH || !isBase64Text(nextToken)) refuseToken();
    const text = util.base64Decode(nextToken);
    // Only the token as issued: base64 decoding may skip a character, so a changed string decodes too.
    if (util.base64Encode(text) !== nextToken) refuseToken();
    const parsed = parseListToken(text, spec.listId, spec.partitions.length);
    if (!parsed) refuseToken();
    cursors = parsed;
  }
  const plan: ListPlan = {
    listId: spec.listId,
    index: spec.index,
    pkName: spec.pkName,
    skName: spec.skName,
    skPrefix: spec.skPrefix ?? null,
    partitions: spec.partitions,
    forward: spec.forward ?? false,
    limit: page.limit,
    cursors,
    status: spec.status ?? null,
    partsOf: spec.partsOf ?? null,
  };
  stash.list = plan;
  stash.listStep = 0;
  stash.sealStep = 0;
  stash.shardPages = [];
  return plan;
}

/** The nextToken of the page just read, from the merge and the seal queries. */
export function nextListToken(stash: Record<string, unknown>): string | null {
  const plan = stash.list as ListPlan;
  const merged = stash.merged as MergedPage | undefined;
  if (!merged) return null;
  const cursors = merged.next.map((c, shard): ShardCursor => c ?? plan.cursors[shard] ?? 'done');
  const text = listTokenText(plan.listId, cursors);
  return text === null ? null : util.base64Encode(text);
}
