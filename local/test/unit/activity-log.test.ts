import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActivityLog, callerOf, isErrorLine, shortName } from '../../activity-log.js';
import type { EventBridgeActivity } from '../../events/eventbridge/index.js';

const AT = new Date('2026-01-05T10:00:00.000Z');
const FN = 'OrderloopApi-PaymentConsumerFunction5BC1E827';

function activityLog(options: { verbose?: boolean; logDir?: string } = {}) {
  const printed: string[] = [];
  const log = new ActivityLog({ write: (l) => printed.push(l), now: () => AT, ...options });
  return { log, printed };
}

const jwt = (claims: object) =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('ActivityLog', () => {
  it("keeps a function's lines in its own file and prints only the invocation's summary", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'orderloop-activity-'));
    const { log, printed } = activityLog({ logDir: dir });
    const lines = [
      'START RequestId: r-1 Version: $LATEST',
      '{"level":"INFO","message":"charging","service":"payment"}',
      'END RequestId: r-1',
      'REPORT RequestId: r-1\tDuration: 12.60 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\tMax Memory Used: 20 MB',
    ];
    // Act
    for (const line of lines) log.functionLine({ functionName: FN, requestId: 'r-1', line });
    await log.close();
    // Assess
    expect(printed).toEqual(['10:00:00.000 λ     PaymentConsumerFunction  invoke  ok 13 ms']);
    expect(readFileSync(join(dir, `${FN}.log`), 'utf8')).toBe(`${lines.join('\n')}\n`);
  });

  it('prints an error line in full and marks its invocation as failed', () => {
    // Prepare
    const { log, printed } = activityLog();
    const invokeError = `2026-01-05T10:00:00.000Z\tr-2\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"declined"}`;
    // Act
    log.functionLine({ functionName: FN, requestId: 'r-2', line: invokeError });
    log.functionLine({
      functionName: FN,
      requestId: 'r-2',
      line: 'REPORT RequestId: r-2\tDuration: 3.00 ms',
    });
    // Assess
    expect(printed).toEqual([
      `10:00:00.000 [${FN}] ${invokeError}`,
      '10:00:00.000 λ     PaymentConsumerFunction  invoke  error 3 ms',
    ]);
  });

  it('prints every function line when verbose', () => {
    // Prepare
    const { log, printed } = activityLog({ verbose: true });
    // Act
    log.functionLine({ functionName: FN, requestId: 'r-3', line: '{"level":"INFO","message":"hi"}' });
    // Assess
    expect(printed).toEqual([`[${FN}] {"level":"INFO","message":"hi"}`]);
  });

  it('prints one line per bus event with the rules it matched, and one per failed target', async () => {
    // Prepare
    const { log, printed } = activityLog();
    const event = {
      id: 'e-1',
      source: 'orderloop.orders',
      'detail-type': 'orderloop.domain-event',
      detail: { type: 'order.placed' },
    } as unknown as Extract<EventBridgeActivity, { type: 'accepted' }>['event'];
    const rule = (name: string) => ({ name }) as Extract<EventBridgeActivity, { type: 'matched' }>['rule'];
    const target = {
      id: 't',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:OrderloopApi-InventoryFnAAAAAAAA',
    };
    // Act
    log.busActivity({ type: 'accepted', busName: 'orders', event });
    log.busActivity({ type: 'matched', rule: rule('OrderloopApi-InventoryRule0123ABCD'), event });
    log.busActivity({ type: 'matched', rule: rule('OrderloopApi-PaymentRule0123ABCD'), event });
    log.busActivity({
      type: 'outcome',
      rule: rule('OrderloopApi-InventoryRule0123ABCD'),
      target,
      event,
      outcome: { type: 'delivered', attempts: 1 },
    } as EventBridgeActivity);
    await new Promise((done) => setImmediate(done));
    log.busActivity({
      type: 'outcome',
      rule: rule('OrderloopApi-PaymentRule0123ABCD'),
      target,
      event,
      outcome: { type: 'dead-lettered', attempts: 3, errorCode: 'RESOURCE_NOT_FOUND' },
    } as EventBridgeActivity);
    // Assess
    expect(printed).toEqual([
      '10:00:00.000 event orderloop.orders  orderloop.domain-event order.placed → InventoryRule, PaymentRule  accepted',
      '10:00:00.000 event orderloop.orders  orderloop.domain-event → PaymentRule → InventoryFn  dead-lettered (RESOURCE_NOT_FOUND)',
    ]);
  });
});

describe('isErrorLine', () => {
  it.each([
    ['2026-01-05T10:00:00.000Z\tr-1\tERROR\tboom', true],
    ['{"level":"ERROR","message":"boom"}', true],
    ['{"level":"CRITICAL","message":"boom"}', true],
    ['{"level":"WARN","message":"slow"}', false],
    ['{"message":"ERROR in a message is not an error level"}', false],
    ['2026-01-05T10:00:00.000Z\tr-1\tINFO\tERROR later in the text', false],
  ])('%s → %s', (line, expected) => {
    expect(isErrorLine(line)).toBe(expected);
  });
});

describe('callerOf', () => {
  it('names the signed-in user, the IAM key, the API key or nobody', () => {
    expect(callerOf({ authorization: jwt({ email: 'aurora@orderloop.local', sub: 's' }) })).toBe(
      'aurora@orderloop.local',
    );
    expect(callerOf({ authorization: `Bearer ${jwt({ 'cognito:username': 'u-1' })}` })).toBe('u-1');
    expect(
      callerOf({
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAORDERLOOPLOCAL00/20260105/us-east-1/appsync/aws4_request, SignedHeaders=host, Signature=0',
      }),
    ).toBe('iam:AKIAORDERLOOPLOCAL00');
    expect(callerOf({ 'x-api-key': 'da2-x' })).toBe('api-key');
    expect(callerOf({})).toBe('anonymous');
  });
});

describe('shortName', () => {
  it("drops the stack prefix and the logical id's hash of a generated name, and keeps a chosen one", () => {
    expect(shortName('OrderloopApi-PaymentConsumerFunction5BC1E827')).toBe('PaymentConsumerFunction');
    expect(shortName('my-function')).toBe('my-function');
    expect(shortName('plain')).toBe('plain');
  });
});
