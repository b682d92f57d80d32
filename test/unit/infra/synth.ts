import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../../infra/app.js';

/**
 * Synthesizes the real app without bundling Lambda code (CDK's `aws:cdk:bundling-stacks` context), so
 * template tests stay fast; the local runtime tests synthesize with bundling.
 *
 * Without CDK's built-in CloudFormation validation as well: its WebAssembly engine costs about 4 s of CPU
 * to create in each worker and half a second per stack, and it only writes warnings to the validation
 * report, which these tests do not read. nag.test.ts synthesizes with it and fails on any finding.
 */
export function synthTemplates(context: Record<string, unknown> = {}) {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'orderloop-synth-')),
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
  const stacks = buildApp(app);
  return { ...stacks, data: Template.fromStack(stacks.data), api: Template.fromStack(stacks.api) };
}
