import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../infra/bundling.js';

// The specifier of: import/export … from, a bare import, import(), require() and require.resolve().
const SPECIFIERS =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire(?:\.resolve)?\s*\(\s*)(['"])([^'"\n]+)\1/g;

const productSources = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => /\.(ts|tsx|mts|js|mjs)$/.test(file) && !file.startsWith('local/'));

const localExports = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'local', 'package.json'), 'utf8')) as { exports: object }).exports,
).map((key) => `@orderloop/local${key.slice(1)}`);

describe('the boundary of the @orderloop/local package', () => {
  it('is crossed by the product (tests, benches, scripts) only through the package name, never by a relative path', () => {
    // Act
    const relativeImports = productSources.flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(SPECIFIERS)]
        .map((m) => m[2]!)
        .filter((spec) => spec.startsWith('.'))
        .filter((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)).split('/')[0] === 'local')
        .map((spec) => `${file}: ${spec}`),
    );
    // Assess
    expect(relativeImports).toEqual([]);
  });

  it('is crossed only at the subpaths its package.json exports, so the package decides what is public', () => {
    // Act
    const unexported = productSources.flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(SPECIFIERS)]
        .map((m) => m[2]!)
        .filter((spec) => spec === '@orderloop/local' || spec.startsWith('@orderloop/local/'))
        .filter((spec) => !localExports.includes(spec))
        .map((spec) => `${file}: ${spec}`),
    );
    // Assess
    expect(unexported).toEqual([]);
  });

  it('is type-checked by the root program with the compiler options of its own tsconfig.json', () => {
    // Prepare: `npm run typecheck` runs the root program over local/ instead of a second `tsc -p local`,
    // which would parse aws-cdk-lib and the SDKs again; that only holds while the options agree.
    type Config = { compilerOptions: Record<string, unknown>; include: string[]; exclude: string[] };
    const read = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Config;
    const root = read('tsconfig.json');
    const local = read('local/tsconfig.json');
    const { paths: _productPaths, ...rootOptions } = root.compilerOptions;
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    // Assess
    expect(rootOptions).toEqual(local.compilerOptions);
    expect(root.include).toContain('local');
    // The console page is a browser program (DOM, bundler resolution): its own tsc run covers it.
    expect(root.exclude.filter((path) => path.startsWith('local'))).toEqual([
      'local/node_modules',
      'local/console/page',
    ]);
    expect(local.exclude).toContain('console/page');
    expect(scripts.typecheck).toContain('tsc -p local/console/page');
    expect(scripts.typecheck).toContain('tsc --noEmit');
  });
});
