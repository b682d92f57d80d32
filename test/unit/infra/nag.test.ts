import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../infra/app.js';

interface Report {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingConstructs?: { constructPath: string }[] }[];
  }[];
}

describe('cdk-nag', () => {
  it("finds nothing unacknowledged in the AwsSolutions and Serverless packs, nor in the CDK's built-in CloudFormation validation", () => {
    // Prepare: the built-in validation (on by default) reports into the same validation-report.json, as
    // warnings that do not fail synth; the template tests (synth.ts) leave it off, this test reads it.
    const outdir = mkdtempSync(join(tmpdir(), 'orderloop-nag-'));
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    buildApp(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    Validations.of(app).addPlugins(new ServerlessChecks(app));
    // Act
    let failure: unknown;
    try {
      app.synth();
    } catch (err) {
      failure = err;
    }
    // Assess
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Report;
    const findings = report.pluginReports.flatMap((p) =>
      p.violations.map(
        (v) =>
          `${v.severity} ${v.ruleName} at ${(v.violatingConstructs ?? []).map((c) => c.constructPath).join(', ')}`,
      ),
    );
    expect(findings).toEqual([]);
    expect(failure).toBeUndefined();
  }, 120_000);
});
