/**
 * The payment provider port and the deterministic simulator used locally and by default. The simulator
 * reads the schema's documented test tokens.
 */

/** A charge request; the idempotency key makes a repeated charge return the first outcome. */
export interface ChargeRequest {
  orderId: string;
  amount: number;
  currency: string;
  token: string;
  idempotencyKey: string;
}

/**
 * What a charge ended in. A decline is an outcome, not an error. VOIDED: the attempt was voided under its
 * idempotency key (PaymentGateway.void) before this charge was answered, so it moved no money.
 */
export type ChargeOutcome =
  { status: 'SUCCEEDED'; chargeId: string } | { status: 'DECLINED'; reason: string } | { status: 'VOIDED' };

/** Voids one charge attempt by the idempotency key it was charged with. */
export interface VoidRequest {
  orderId: string;
  idempotencyKey: string;
}

/** A refund request; the idempotency key makes a repeated refund a no-op. */
export interface RefundRequest {
  orderId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

/** The provider may fail in a way that is worth retrying (network, 5xx, timeout). */
export class TransientGatewayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientGatewayError';
  }
}

/** The port the payment consumer charges and refunds through. */
export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  refund(request: RefundRequest): Promise<{ refundId: string }>;
  /**
   * Closes a charge attempt whose outcome is unknown (its answer timed out), Stripe-style: a charge that
   * went through under the key is refunded whole, one that did not is a no-op, and either way the key is
   * closed, so a charge with it that is still in flight, or repeated later, answers VOIDED and moves no
   * money. Repeating a void changes nothing. Throws TransientGatewayError when the provider cannot be
   * reached (the caller fails and is retried).
   */
  void(request: VoidRequest): Promise<{ refunded: boolean }>;
}

/** Test tokens the simulator understands (schema.graphql, ProcessPaymentInput.paymentToken). */
export const TEST_TOKENS = [
  'tok_success',
  'tok_declined',
  'tok_insufficient_funds',
  'tok_transient_then_success',
  'tok_timeout',
  'tok_timeout_then_charged',
] as const;

/**
 * A deterministic provider: outcomes depend only on the token, and it remembers charges, refunds and voids
 * by idempotency key like a real provider does, so the same key never charges twice. What it remembers
 * lives in the instance: the handler keeps one per execution environment (a module singleton), so a
 * redelivery or retry that lands on the same warm environment gets the first outcome back, and two calls
 * of one key at once do too (each call decides and stores its outcome before its first await). Another
 * environment, or a cold start, starts with an empty memory and would charge the key again: the simulator
 * moves no money, so that costs nothing here. A real provider keeps its keys on its side, for every
 * caller: Stripe ("Idempotent requests") saves the status and body of the first request under a key,
 * success or failure, answers every repeat with them (keys may be pruned once at least 24 hours old),
 * refuses a request that conflicts with one still executing under the key without saving that refusal
 * (so the caller's retry gets the first answer), and errors on a key reused with other parameters. A real
 * adapter should throw a plain error on that concurrent-request refusal, not TransientGatewayError: a
 * transient error that persists ends in a void (chargePayment), which would refund the other run's charge;
 * a plain error fails the invocation, and Lambda's retry gets the first answer.
 */
export class SimulatedPaymentGateway implements PaymentGateway {
  /** Every charge that moved money, for tests and logs. */
  readonly charges: ChargeRequest[] = [];
  /** Every refund that moved money. */
  readonly refunds: RefundRequest[] = [];
  readonly #outcomes = new Map<string, ChargeOutcome>();
  readonly #refunded = new Map<string, { refundId: string }>();
  readonly #transientSeen = new Set<string>();
  readonly #voided = new Map<string, { refunded: boolean }>();

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    if (this.#voided.has(request.idempotencyKey)) return { status: 'VOIDED' };
    const known = this.#outcomes.get(request.idempotencyKey);
    if (request.token === 'tok_timeout_then_charged') {
      // The charge goes through at the provider on the first call, but its answer never arrives: every
      // call under the key times out, so the caller cannot tell it was charged.
      if (!known) {
        this.charges.push(request);
        this.#outcomes.set(request.idempotencyKey, {
          status: 'SUCCEEDED',
          chargeId: `ch_${request.idempotencyKey}`,
        });
      }
      throw new TransientGatewayError('simulated provider timeout');
    }
    if (known) return known;
    let outcome: ChargeOutcome;
    switch (request.token) {
      case 'tok_success':
        outcome = { status: 'SUCCEEDED', chargeId: `ch_${request.idempotencyKey}` };
        break;
      case 'tok_declined':
        outcome = { status: 'DECLINED', reason: 'card_declined' };
        break;
      case 'tok_insufficient_funds':
        outcome = { status: 'DECLINED', reason: 'insufficient_funds' };
        break;
      case 'tok_transient_then_success':
        if (!this.#transientSeen.has(request.idempotencyKey)) {
          this.#transientSeen.add(request.idempotencyKey);
          throw new TransientGatewayError('simulated transient provider error');
        }
        outcome = { status: 'SUCCEEDED', chargeId: `ch_${request.idempotencyKey}` };
        break;
      case 'tok_timeout':
        throw new TransientGatewayError('simulated provider timeout');
      default:
        outcome = { status: 'DECLINED', reason: 'invalid_token' };
    }
    if (outcome.status === 'SUCCEEDED') this.charges.push(request);
    this.#outcomes.set(request.idempotencyKey, outcome);
    return outcome;
  }

  async refund(request: RefundRequest): Promise<{ refundId: string }> {
    const known = this.#refunded.get(request.idempotencyKey);
    if (known) return known;
    const result = { refundId: `re_${request.idempotencyKey}` };
    this.refunds.push(request);
    this.#refunded.set(request.idempotencyKey, result);
    return result;
  }

  async void(request: VoidRequest): Promise<{ refunded: boolean }> {
    const known = this.#voided.get(request.idempotencyKey);
    if (known) return known;
    const charged = this.charges.find((c) => c.idempotencyKey === request.idempotencyKey);
    if (charged) {
      this.refunds.push({
        orderId: charged.orderId,
        amount: charged.amount,
        currency: charged.currency,
        idempotencyKey: `void#${request.idempotencyKey}`,
      });
    }
    const result = { refunded: charged !== undefined };
    this.#voided.set(request.idempotencyKey, result);
    return result;
  }
}
