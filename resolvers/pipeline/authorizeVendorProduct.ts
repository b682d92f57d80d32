import { type Context, util } from '@aws-appsync/utils';
import { callerOf } from '../../domain/identity.js';
import { validateInventoryChange } from '../../domain/inventory.js';
import type { MutationUpdateInventoryArgs } from '../../domain/generated/schema.js';
import { fail } from '../lib/errors.js';
import { businessError } from '../../domain/errors.js';

/**
 * updateInventory, step 1 (NONE): validates the values and checks that a vendor changes only its own
 * products. Admins may change any product.
 */
export function request(ctx: Context<MutationUpdateInventoryArgs>) {
  const input = ctx.args.input;
  const caller = callerOf(ctx.identity);
  if (caller.kind === 'vendor' && caller.vendorId !== input.vendorId) util.unauthorized();
  if (caller.kind !== 'vendor' && caller.kind !== 'admin') util.unauthorized();
  const violation = validateInventoryChange(input);
  if (violation) fail(businessError('ValidationError', violation.reason, violation));
  return { payload: input };
}

/** Passes the validated input on. */
export function response(ctx: Context) {
  return ctx.result;
}
