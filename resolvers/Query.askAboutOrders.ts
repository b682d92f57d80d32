import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../domain/identity.js';
import { questionViolation, type AskEvent } from '../functions/assistant/question.js';
import type { AssistantAnswer, QueryAskAboutOrdersArgs } from '../domain/generated/schema.js';
import { fail } from './lib/errors.js';
import { businessError } from '../domain/errors.js';

/**
 * Sends the question to the assistant Lambda with the asker taken from the verified token: a customer
 * asks about its own orders, a vendor about its own parts. The schema admits only those two groups; a
 * user who is also an admin, or a vendor without a vendor id, is refused here.
 */
export function request(ctx: Context<QueryAskAboutOrdersArgs>) {
  const caller = callerOf(ctx.identity);
  if (caller.kind !== 'customer' && caller.kind !== 'vendor') util.unauthorized();
  if (caller.kind === 'vendor' && caller.vendorId === null) util.unauthorized();
  const violation = questionViolation(ctx.args.question);
  if (violation) fail(businessError('ValidationError', violation.reason, violation));
  const payload: AskEvent = {
    question: ctx.args.question,
    asker: {
      kind: caller.kind === 'vendor' ? 'vendor' : 'customer',
      id: caller.id,
      vendorId: caller.kind === 'vendor' ? caller.vendorId : null,
    },
  };
  return { operation: 'Invoke', payload };
}

/**
 * The assistant's typed answer. The Lambda answers with its simple answer when the model is down, so an
 * error here means it could not read the orders at all: NotAvailable, without the internal message.
 */
export function response(ctx: Context<QueryAskAboutOrdersArgs, object, object, object, AssistantAnswer>) {
  if (ctx.error)
    fail(businessError('NotAvailable', 'The assistant could not answer right now; retry the call', null));
  return ctx.result;
}
