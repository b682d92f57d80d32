import { AwsServiceError } from '../../aws-json.js';
import { evaluateJsonPath, parseJsonPath } from './json-path.js';
import type { EventBridgeEvent } from './types.js';

/** The three mutually exclusive ways a rule target shapes what it receives (PutTargets Input*). */
export interface TargetInputConfig {
  /** Constant JSON text sent instead of the event. */
  readonly input?: string;
  /** A JSON path selecting the part of the event to send. */
  readonly inputPath?: string;
  /** Variables taken from the event, substituted into a template. */
  readonly inputTransformer?: {
    readonly inputPathsMap?: Readonly<Record<string, string>>;
    readonly inputTemplate: string;
  };
}

/** What the reserved template variables refer to. */
export interface TransformContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** ISO 8601 time EventBridge received the event. */
  readonly ingestionTime: string;
}

/** Variables EventBridge defines itself; an InputPathsMap may not reuse these names. */
export const RESERVED_VARIABLES = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event',
  'aws.events.event.ingestion-time',
  'aws.events.event.json',
] as const;

const invalid = (message: string): never => {
  throw new AwsServiceError('ValidationException', message);
};

/** Rejects an input configuration the PutTargets API would reject, saying what was received. */
export function validateTargetInput(config: TargetInputConfig): void {
  const set = (['input', 'inputPath', 'inputTransformer'] as const).filter((k) => config[k] !== undefined);
  if (set.length > 1)
    invalid(`Only one of Input, InputPath and InputTransformer may be set, received ${set.join(', ')}`);
  if (config.input !== undefined) {
    try {
      JSON.parse(config.input);
    } catch {
      invalid(`Input must be valid JSON text, received ${config.input}`);
    }
  }
  const paths = [
    ...(config.inputPath !== undefined ? [config.inputPath] : []),
    ...Object.values(config.inputTransformer?.inputPathsMap ?? {}),
  ];
  for (const p of paths) {
    try {
      parseJsonPath(p);
    } catch (err) {
      invalid((err as Error).message);
    }
  }
  const names = Object.keys(config.inputTransformer?.inputPathsMap ?? {});
  if (names.length > 100) invalid(`InputPathsMap may define at most 100 variables, received ${names.length}`);
  const reserved = names.filter((n) => (RESERVED_VARIABLES as readonly string[]).includes(n));
  if (reserved.length > 0) invalid(`InputPathsMap may not define reserved variables: ${reserved.join(', ')}`);
}

/** The value a placeholder stands for; `undefined` when its path matched nothing in the event. */
function variables(event: EventBridgeEvent, paths: Readonly<Record<string, string>>, ctx: TransformContext) {
  const vars = new Map<string, unknown>();
  for (const [name, path] of Object.entries(paths)) {
    const result = evaluateJsonPath(path, event);
    vars.set(name, result.found ? result.value : undefined);
  }
  const { detail: _detail, ...withoutDetail } = event;
  vars.set('aws.events.rule-arn', ctx.ruleArn);
  vars.set('aws.events.rule-name', ctx.ruleName);
  vars.set('aws.events.event.ingestion-time', ctx.ingestionTime);
  vars.set('aws.events.event', withoutDetail);
  vars.set('aws.events.event.json', event);
  return vars;
}

/**
 * Fills `<name>` placeholders. Inside a quoted string a string value goes in as-is (EventBridge does not
 * escape extracted values) and other values as JSON text; outside quotes every value goes in as JSON,
 * so `"state": <state>` becomes `"state": "RUNNING"`. A variable whose path matched nothing is left out:
 * empty inside a string, `null` outside one so the JSON stays valid. Unknown names are left as written.
 */
export function renderTemplate(template: string, vars: ReadonlyMap<string, unknown>): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (inString && ch === '\\') {
      out += ch + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') inString = !inString;
    if (ch === '<') {
      const m = template.slice(i + 1).match(/^([A-Za-z0-9_.-]+)>/);
      if (m && vars.has(m[1]!)) {
        const value = vars.get(m[1]!);
        if (value === undefined) out += inString ? '' : 'null';
        else out += inString && typeof value === 'string' ? value : JSON.stringify(value);
        i += m[0].length;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/** JSON that EventBridge hands a target is minified; text that is not JSON passes through unchanged. */
function minify(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/**
 * The text a target receives for an event, per "Amazon EventBridge input transformation": the whole
 * event by default, the constant Input, the InputPath selection, or the rendered InputTemplate.
 */
export function targetInput(
  event: EventBridgeEvent,
  config: TargetInputConfig,
  ctx: TransformContext,
): string {
  if (config.input !== undefined) return config.input;
  if (config.inputPath !== undefined) {
    const result = evaluateJsonPath(config.inputPath, event);
    return JSON.stringify(result.found ? result.value : null);
  }
  if (config.inputTransformer) {
    const { inputPathsMap = {}, inputTemplate } = config.inputTransformer;
    return minify(renderTemplate(inputTemplate, variables(event, inputPathsMap, ctx)));
  }
  return JSON.stringify(event);
}
