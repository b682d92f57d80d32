/**
 * Observability hooks of the local AppSync: a counter of billable requests per pricing dimension
 * (AWS AppSync pricing: query and data modification operations, real-time updates, connection
 * minutes) and a fault switch that makes a field's data source fail or slow down on purpose.
 */

/** The dimensions AppSync bills GraphQL APIs by. */
export type PricingDimension = 'query' | 'mutation' | 'realtimeMessage' | 'connectionMinute';

/** One billable unit (or several, for connection minutes) the server served. */
export interface BillableEvent {
  readonly dimension: PricingDimension;
  readonly count: number;
  readonly apiId: string;
  /** What it was, for a cost breakdown: the auth mode and root fields, or the subscription field. */
  readonly detail?: string;
}

/** Counts billable requests; pass `onRequest` to see each one as it happens. */
export class RequestCounter {
  readonly totals: Record<PricingDimension, number> = {
    query: 0,
    mutation: 0,
    realtimeMessage: 0,
    connectionMinute: 0,
  };

  constructor(private readonly onRequest?: (event: BillableEvent) => void) {}

  /** Records `count` units of one dimension. */
  record(apiId: string, dimension: PricingDimension, count = 1, detail?: string): void {
    this.totals[dimension] += count;
    this.onRequest?.({ dimension, count, apiId, ...(detail ? { detail } : {}) });
  }

  /** Zeroes the totals, e.g. between test cases. */
  reset(): void {
    for (const key of Object.keys(this.totals) as PricingDimension[]) this.totals[key] = 0;
  }
}

/** A fault for one field's data-source calls: an error instead of the call, and/or added latency. */
export interface FaultRule {
  readonly typeName: string;
  readonly fieldName: string;
  /** What lands in ctx.error instead of calling the data source. @default no error */
  readonly error?: { readonly message: string; readonly type: string };
  /** Milliseconds to wait before the data source answers. @default 0 */
  readonly latencyMs?: number;
  /** How many calls it applies to before it switches itself off. @default every call */
  readonly times?: number;
}

/** The fault switch: `inject` a rule, get back a function that removes it. */
export class Faults {
  private readonly rules: { rule: FaultRule; left: number }[] = [];
  private readonly listeners = new Set<(armed: readonly string[]) => void>();

  /** Turns a fault on until the returned function is called (or `times` calls happened). */
  inject(rule: FaultRule): () => void {
    const entry = { rule, left: rule.times ?? Number.POSITIVE_INFINITY };
    this.rules.push(entry);
    this.changed();
    return () => {
      const at = this.rules.indexOf(entry);
      if (at >= 0) this.rules.splice(at, 1);
      this.changed();
    };
  }

  /** Removes every fault. */
  clear(): void {
    this.rules.length = 0;
    this.changed();
  }

  /** The `Type.field`s that have a fault right now. */
  armed(): string[] {
    return [...new Set(this.rules.map((e) => `${e.rule.typeName}.${e.rule.fieldName}`))];
  }

  /**
   * Calls `listener` with armed() whenever it may have changed, so another thread can tell which fields
   * to ask take() about; returns the function that stops it.
   */
  onChange(listener: (armed: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    if (this.listeners.size === 0) return;
    const armed = this.armed();
    for (const listener of this.listeners) listener(armed);
  }

  /** The fault for this call, consuming one use of it. */
  take(typeName: string, fieldName: string): FaultRule | undefined {
    const entry = this.rules.find(
      (e) => e.rule.typeName === typeName && e.rule.fieldName === fieldName && e.left > 0,
    );
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left <= 0) {
      this.rules.splice(this.rules.indexOf(entry), 1);
      this.changed();
    }
    return entry.rule;
  }
}
