import { applyInputTemplate } from './input-template.js';
import type { PipeConfig, PipePorts } from './types.js';

/** The ports through which a pipe reaches its target. */
export type TargetPorts = Pick<PipePorts, 'invokeLambdaSync' | 'putEvents' | 'sendToQueue'>;

/**
 * Wraps `ports` so the pipe's target input template is applied to each item after enrichment, just before
 * the target (as Pipes does); calls to the enrichment function pass through untouched. One copy for the
 * running pipe (local/events/runtime.ts) and for replayed dead letters (local/replay/pipe.ts).
 */
export function withTargetTemplate(
  pipe: PipeConfig & { readonly targetInputTemplate?: string },
  ports: TargetPorts,
  now: () => number = Date.now,
): TargetPorts {
  const template = pipe.targetInputTemplate;
  const targetArn =
    pipe.target.type === 'lambda'
      ? pipe.target.functionArn
      : pipe.target.type === 'sqs'
        ? pipe.target.queueArn
        : pipe.target.busArn;
  const isTargetCall = (arn: string) => arn === targetArn && arn !== pipe.enrichment?.functionArn;
  const shape = (item: unknown) =>
    template === undefined
      ? item
      : applyInputTemplate(template, item, {
          pipeArn: pipe.arn,
          pipeName: pipe.name,
          ingestionTime: new Date(now()).toISOString(),
        });
  const text = (item: unknown) => (typeof item === 'string' ? item : JSON.stringify(item));
  return {
    invokeLambdaSync: (arn, payload) =>
      ports.invokeLambdaSync(arn, isTargetCall(arn) && Array.isArray(payload) ? payload.map(shape) : payload),
    putEvents: (busArn, entries) =>
      ports.putEvents(
        busArn,
        entries.map((e) =>
          template === undefined ? { ...e } : { ...e, Detail: text(shape(parseJson(e.Detail))) },
        ),
      ),
    sendToQueue: (arn, body, attributes) =>
      ports.sendToQueue(
        arn,
        isTargetCall(arn) && template !== undefined ? text(shape(parseJson(body))) : body,
        attributes,
      ),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
