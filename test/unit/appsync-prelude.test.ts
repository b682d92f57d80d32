import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../infra/bundling.js';

/**
 * AppSync's predefined scalars and directives (AWSDateTime, @aws_iam, @aws_subscribe, …) are declared
 * twice on purpose: the app's copy feeds codegen and the synth-time manifest check, the local runtime's
 * copy lets `@orderloop/local` validate any app's schema without reading the app's files. They describe
 * one service, so they must not drift apart.
 */
describe("AppSync's schema prelude", () => {
  it("is the same in the app (infra/graphql) and in the local runtime's package (local/auth)", () => {
    const app = readFileSync(join(ROOT, 'infra', 'graphql', 'appsync.graphql'), 'utf8');
    const runtime = readFileSync(join(ROOT, 'local', 'auth', 'appsync.graphql'), 'utf8');
    expect(runtime).toBe(app);
  });
});
