import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import appsync from '@aws-appsync/eslint-plugin';
import { describe, expect, it } from 'vitest';
import { provenBounded } from '@orderloop/local/appsync/runtime';
import { APPSYNC_CODE_LIMIT, bundleAppSyncCode, ROOT } from '../../../infra/bundling.js';
import { functions, resolvers } from '../../../resolvers/manifest.js';

const sources = [
  ...new Set([...resolvers.map((r) => r.code), ...Object.values(functions).map((f) => f.code)]),
];

describe('APPSYNC_JS bundles', () => {
  it.each(sources)('%s bundles into one ESM file within the AppSync size limit', (source) => {
    // Act
    const code = bundleAppSyncCode(source);
    // Assess
    expect(code.length).toBeLessThanOrEqual(APPSYNC_CODE_LIMIT);
    expect(code).toMatch(/export\s*\{[^}]*\brequest\b[^}]*\bresponse\b/s);
    // Only the runtime modules AppSync provides may stay imports.
    const imports = [...code.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]);
    for (const name of imports) expect(['@aws-appsync/utils', '@aws-appsync/utils/dynamodb']).toContain(name);
  });

  it.each(['Mutation.placeOrder.ts', 'pipeline/getPlacedOrder.ts', 'pipeline/recheckPlacedOrder.ts'])(
    '%s is proven to halt, its SHA-256 included, so the local runtime runs it without its watchdog',
    (source) => {
      // Act
      const verdict = provenBounded(bundleAppSyncCode(source));
      // Assess: local/appsync/runtime/bounded.ts (a computed index or a grown array passed on is not proven)
      expect(verdict).toEqual({ bounded: true });
    },
  );

  it('passes the AppSync base lint rules on every bundled file', async () => {
    // Prepare: lint the bundles, which contain every domain helper a resolver pulled in.
    const eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [
        {
          ...(appsync.configs!.base as Linter.Config),
          languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
        },
      ],
    });
    // Act
    const results = await Promise.all(
      sources.map((source) =>
        eslint.lintText(bundleAppSyncCode(source), { filePath: `bundle/${source}.js` }),
      ),
    );
    // Assess
    const problems = results
      .flat()
      .flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId} ${m.message}`));
    expect(problems).toEqual([]);
  });

  it('passes the AppSync recommended lint rules (type-aware) on resolvers/ and the domain code they import', async () => {
    // Prepare
    const eslint = new ESLint({ cwd: ROOT });
    // Act
    const results = await eslint.lintFiles(['resolvers/**/*.ts', 'domain/*.ts']);
    // Assess
    const problems = results.flatMap((r) =>
      r.messages
        .filter((m) => m.severity === 2)
        .map((m) => `${r.filePath}:${m.line} ${m.ruleId} ${m.message}`),
    );
    expect(problems).toEqual([]);
  }, 120_000);

  it('types each pipeline step by its stash (resolvers/lib/stash.ts) instead of casting ctx.stash', () => {
    // Act
    const casts = sources.flatMap((source) =>
      [...readFileSync(join(ROOT, 'resolvers', source), 'utf8').matchAll(/ctx\.stash\.\w+\)? as /g)].map(
        (m) => `${source}: ${m[0]}`,
      ),
    );
    // Assess
    expect(casts).toEqual([]);
  });

  it('answers every business error through the typed set in domain/errors.ts', () => {
    // Prepare: the errorTypes of domain/errors.ts
    const businessTypes = [
      ...readFileSync(join(ROOT, 'domain', 'errors.ts'), 'utf8').matchAll(/^ {2}(\w+): /gm),
    ].map((m) => m[1]);
    // Act: any util.error / appendError that names one of them by hand
    const byHand = sources.flatMap((source) =>
      [...readFileSync(join(ROOT, 'resolvers', source), 'utf8').matchAll(/util\.error\([^;]*?'(\w+)'/gs)]
        .filter((m) => businessTypes.includes(m[1]!))
        .map((m) => `${source}: ${m[1]}`),
    );
    // Assess
    expect(businessTypes).toContain('InvalidTransition');
    expect(byHand).toEqual([]);
  });
});
