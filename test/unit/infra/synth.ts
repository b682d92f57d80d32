import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../../infra/app.js';

/**
 * Synthesizes the real app without bundling Lambda code (CDK's `aws:cdk:bundling-stacks` context), so
 * template tests stay fast; the local runtime tests synthesize with bundling.
 */
export function synthTemplates(context: Record<string, unknown> = {}) {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'orderloop-synth-')),
    context: { 'aws:cdk:bundling-stacks': [], ...context },
  });
  const stacks = buildApp(app);
  return { ...stacks, data: Template.fromStack(stacks.data), api: Template.fromStack(stacks.api) };
}
