/**
 * The subset of Pipes input transformation the local runtime needs: `<$.json.path>` placeholders and the
 * `<aws.pipes.*>` reserved variables, applied to one record at a time (Pipes transforms each record of a
 * batch separately). Inside a JSON string a value is spliced in as text; outside, as JSON.
 */

/** The reserved variables Pipes documents for input templates. */
export interface TemplateVariables {
  readonly pipeArn: string;
  readonly pipeName: string;
  readonly ingestionTime: string;
}

const PLACEHOLDER = /<(\$(?:\.[^<>.\s]+)*|aws\.pipes\.[a-z.-]+)>/g;

function lookup(path: string, record: unknown, vars: TemplateVariables): unknown {
  switch (path) {
    case 'aws.pipes.pipe-arn':
      return vars.pipeArn;
    case 'aws.pipes.pipe-name':
      return vars.pipeName;
    case 'aws.pipes.event.ingestion-time':
      return vars.ingestionTime;
    case 'aws.pipes.event':
    case 'aws.pipes.event.json':
      return record;
  }
  let value: unknown = record;
  for (const key of path.split('.').slice(1)) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/** True when `offset` in `template` sits inside a JSON string literal. */
function insideString(template: string, offset: number): boolean {
  let inside = false;
  for (let i = 0; i < offset; i++) {
    if (template[i] === '\\') i++;
    else if (template[i] === '"') inside = !inside;
  }
  return inside;
}

/** Renders the template for one record; the result is parsed JSON when it is JSON, else the text. */
export function applyInputTemplate(template: string, record: unknown, vars: TemplateVariables): unknown {
  const text = template.replace(PLACEHOLDER, (_match, path: string, offset: number) => {
    const value = lookup(path, record, vars);
    if (insideString(template, offset)) {
      const asText = typeof value === 'string' ? value : JSON.stringify(value ?? null);
      return JSON.stringify(asText).slice(1, -1);
    }
    return JSON.stringify(value ?? null);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
