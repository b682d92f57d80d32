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
});
