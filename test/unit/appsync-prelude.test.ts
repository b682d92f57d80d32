import { readFileSync } from 'node:fs';
import { parse, print } from 'graphql';
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
  it("declares the same in the app (infra/graphql) and in the local runtime's package (local/auth)", () => {
    // Compared as parsed and printed SDL: each copy's header comment says who reads it.
    const definitions = (...path: string[]) => print(parse(readFileSync(join(ROOT, ...path), 'utf8')));
    expect(definitions('local', 'auth', 'appsync.graphql')).toBe(
      definitions('infra', 'graphql', 'appsync.graphql'),
    );
  });
});
