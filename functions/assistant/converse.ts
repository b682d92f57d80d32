import {
  ConverseCommand,
  type BedrockRuntimeClient,
  type ContentBlock,
  type ConverseResponse,
  type Message,
  type ToolResultBlock,
  type ToolResultContentBlock,
} from '@aws-sdk/client-bedrock-runtime';
import type { Asker } from './question.js';
import type { ToolBox } from './tools.js';

/**
 * The Converse tool loop ("Call a tool with the Converse API", Bedrock user guide): send the question and
 * the tools, run every toolUse block while stopReason is tool_use, send the results back as toolResult
 * blocks (status error for a failed call), and stop on the first answer. Model calls and total time are
 * capped; anything that keeps the model from answering is a ModelUnavailable, which the caller turns into
 * the simple answer.
 */

type JsonDocument = ToolResultContentBlock.JsonMember['json'];

/** Input and output tokens of the model calls for one question (ConverseResponse.usage, summed). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** Why the model gave no answer; each one sends the question to the simple answer. */
export type UnavailableReason =
  | 'throttled'
  | 'timed_out'
  | 'access_denied'
  | 'unreachable'
  | 'model_error'
  | 'rejected'
  | 'iteration_cap'
  | 'max_tokens'
  | 'no_answer';

/** The model could not answer; carries the tokens spent so far, so they are still counted. */
export class ModelUnavailable extends Error {
  override readonly name = 'ModelUnavailable';
  constructor(
    readonly reason: UnavailableReason,
    readonly usage: TokenUsage,
    readonly detail: string,
    /** Converse calls made, the failed one included. */
    readonly modelCalls = 0,
  ) {
    super(`the model is unavailable (${reason}): ${detail}`);
  }
}

/** The model's answer and what it took. */
export interface ModelAnswer {
  readonly text: string;
  /** The asker's order ids the tools returned, in the order they were first read. */
  readonly readOrderIds: readonly string[];
  readonly usage: TokenUsage;
  readonly modelCalls: number;
  readonly toolCalls: number;
  /** The answer stopped at maxTokens (stopReason max_tokens) and was cut short. */
  readonly truncated: boolean;
}

/** Options of one question's tool loop. */
export interface ConverseLoopOptions {
  readonly client: Pick<BedrockRuntimeClient, 'send'>;
  readonly modelId: string;
  readonly asker: Asker;
  readonly question: string;
  readonly tools: ToolBox;
  /** Most model calls for one question. @default 5 */
  readonly maxModelCalls?: number;
  /** Milliseconds the whole loop may take (AppSync gives a resolver at most 30 s). @default 20000 */
  readonly budgetMs?: number;
  /** @default 1024 */
  readonly maxTokens?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Receives a tool call that threw (its result goes to the model as an error without the details). */
  readonly onToolFailure?: (name: string, error: unknown) => void;
}

/** The system prompt: short, and the same for every question but for who asks and today's date. */
export function systemPrompt(asker: Asker, today: string): string {
  const whose =
    asker.kind === 'vendor'
      ? 'the signed-in vendor’s own parts of orders'
      : 'the signed-in customer’s own orders';
  return [
    `You are orderloop's order assistant. You answer questions about ${whose}.`,
    'Use only what the tools return; they only see this user’s data. Never guess an order, a status or an amount.',
    'If the tools find nothing, say so. Answer in at most three short sentences and name the order ids you used.',
    `Today is ${today}.`,
  ].join(' ');
}

/** Runs the tool loop for one question; throws ModelUnavailable when the model gives no answer. */
export async function converseWithTools(options: ConverseLoopOptions): Promise<ModelAnswer> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.budgetMs ?? 20_000);
  const maxModelCalls = options.maxModelCalls ?? 5;
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  const readOrderIds: string[] = [];
  const messages: Message[] = [{ role: 'user', content: [{ text: options.question }] }];
  const system = [{ text: systemPrompt(options.asker, new Date(now()).toISOString().slice(0, 10)) }];
  let toolCalls = 0;
  for (let call = 1; call <= maxModelCalls; call++) {
    const remaining = deadline - now();
    if (remaining <= 0)
      throw new ModelUnavailable(
        'timed_out',
        usage,
        `no answer within the time budget after ${call - 1} calls`,
        call - 1,
      );
    let out: ConverseResponse;
    try {
      out = await options.client.send(
        new ConverseCommand({
          modelId: options.modelId,
          system,
          messages,
          toolConfig: { tools: options.tools.specs },
          inferenceConfig: { maxTokens: options.maxTokens ?? 1024, temperature: 0 },
        }),
        { abortSignal: AbortSignal.timeout(remaining) },
      );
    } catch (error) {
      throw new ModelUnavailable(reasonOf(error), usage, describe(error), call);
    }
    usage.inputTokens += out.usage?.inputTokens ?? 0;
    usage.outputTokens += out.usage?.outputTokens ?? 0;
    const content = out.output?.message?.content ?? [];
    const text = textOf(content);
    const toolUses = content.flatMap((b) => (b.toolUse ? [b.toolUse] : []));
    const answer = (truncated: boolean): ModelAnswer => ({
      text,
      readOrderIds,
      usage,
      modelCalls: call,
      toolCalls,
      truncated,
    });
    switch (out.stopReason) {
      case 'end_turn':
      case 'stop_sequence':
        if (text === '')
          throw new ModelUnavailable('no_answer', usage, `stopReason ${out.stopReason} without text`, call);
        return answer(false);
      case 'max_tokens':
        // Cut inside a tool call there is nothing to run; cut inside the answer the text still helps.
        if (text === '' || toolUses.length > 0)
          throw new ModelUnavailable(
            'max_tokens',
            usage,
            'the model reached maxTokens before answering',
            call,
          );
        return answer(true);
      case 'tool_use': {
        if (toolUses.length === 0)
          throw new ModelUnavailable('no_answer', usage, 'stopReason tool_use without a toolUse block', call);
        if (call === maxModelCalls)
          throw new ModelUnavailable(
            'iteration_cap',
            usage,
            `still calling tools after ${call} model calls`,
            call,
          );
        messages.push({ role: 'assistant', content });
        const results: ContentBlock[] = [];
        for (const use of toolUses) {
          toolCalls++;
          results.push({
            toolResult: await runTool(options, use.toolUseId ?? '', use.name ?? '', use.input, readOrderIds),
          });
        }
        messages.push({ role: 'user', content: results });
        break;
      }
      default:
        // guardrail_intervened, content_filtered, malformed_model_output, malformed_tool_use,
        // model_context_window_exceeded: no usable answer from the model.
        throw new ModelUnavailable('no_answer', usage, `stopReason ${out.stopReason ?? 'missing'}`, call);
    }
  }
  throw new ModelUnavailable(
    'iteration_cap',
    usage,
    `no answer after ${maxModelCalls} model calls`,
    maxModelCalls,
  );
}

async function runTool(
  options: ConverseLoopOptions,
  toolUseId: string,
  name: string,
  input: unknown,
  readOrderIds: string[],
): Promise<ToolResultBlock> {
  try {
    const outcome = await options.tools.run(name, input);
    if (!outcome.ok) return { toolUseId, status: 'error', content: [{ text: outcome.message }] };
    for (const id of outcome.orderIds) if (!readOrderIds.includes(id)) readOrderIds.push(id);
    return { toolUseId, status: 'success', content: [{ json: outcome.content as JsonDocument }] };
  } catch (error) {
    options.onToolFailure?.(name, error);
    return {
      toolUseId,
      status: 'error',
      content: [{ text: `The ${name} tool failed; try again or answer without it.` }],
    };
  }
}

function textOf(content: readonly ContentBlock[]): string {
  return content
    .map((b) => b.text ?? '')
    .join('')
    .trim();
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT'];

/**
 * Sorts a failed Converse call by cause, for logs and metrics; every cause leads to the simple answer.
 * The Bedrock client speaks HTTP/2, where a refused connection arrives as Node's
 * ERR_HTTP2_STREAM_CANCEL with the socket error as its `cause`, so the cause chain is read too.
 */
export function reasonOf(error: unknown): UnavailableReason {
  const e = (error ?? {}) as { name?: string };
  const name = e.name ?? '';
  if (name === 'ThrottlingException' || name === 'ServiceQuotaExceededException') return 'throttled';
  if (name === 'AbortError' || name === 'TimeoutError' || name === 'ModelTimeoutException')
    return 'timed_out';
  if (
    name === 'AccessDeniedException' ||
    name === 'UnrecognizedClientException' ||
    name === 'ExpiredTokenException' ||
    name === 'CredentialsProviderError'
  )
    return 'access_denied';
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause !== null && typeof cause === 'object'; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.includes(code)) return 'unreachable';
    cause = (cause as { cause?: unknown }).cause;
  }
  if (name === 'ValidationException' || name === 'ResourceNotFoundException') return 'rejected';
  return 'model_error';
}
