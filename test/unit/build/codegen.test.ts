import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../infra/bundling.js';

describe('codegen', () => {
  it('generated files match schema.graphql and the documents (run `npm run codegen` when this fails)', async () => {
    // Act: generate in memory with the project's own codegen.yml.
    const cwd = process.cwd();
    process.chdir(ROOT);
    let outputs: { filename: string; content: string }[];
    try {
      const { config } = await loadCodegenConfig({ configFilePath: join(ROOT, 'codegen.yml') });
      outputs = (await generate({ ...config, silent: true }, false)) as typeof outputs;
    } finally {
      process.chdir(cwd);
    }
    // Assess
    expect(outputs.map((o) => o.filename).sort()).toEqual([
      'domain/generated/schema.ts',
      'functions/lib/generated/graphql.ts',
      'test/generated/graphql.ts',
    ]);
    for (const output of outputs) {
      const onDisk = readFileSync(join(ROOT, output.filename), 'utf8');
      expect(onDisk, `${output.filename} is stale`).toBe(output.content);
    }
  }, 60_000);

  it('keeps the schema types in domain/, so domain/ imports nothing from resolvers/', () => {
    // Prepare
    const files = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    // Act
    const reaching = files('domain').filter((f) =>
      /from '(\.\.\/)+resolvers\//.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    // Assess
    expect(reaching).toEqual([]);
  });
});
