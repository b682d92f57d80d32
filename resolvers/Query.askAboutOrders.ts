import { type Context, util } from '@aws-appsync/utils';
import type { QueryAskAboutOrdersArgs } from './generated/schema.js';

/** The assistant is not wired yet: the field answers with the documented NotAvailable error. */
export function request(_ctx: Context<QueryAskAboutOrdersArgs>) {
  return { payload: null };
}

/** Always fails with errorType NotAvailable. */
export function response(_ctx: Context<QueryAskAboutOrdersArgs>) {
  util.error('askAboutOrders is not available yet', 'NotAvailable');
}
