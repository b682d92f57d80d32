import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../infra/bundling.js';

interface Manifest {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
// The specifier of: import/export … from, a bare import, import(), require() and require.resolve().
const SPECIFIERS =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire(?:\.resolve)?\s*\(\s*)(['"])([^'"\n]+)\1/g;
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*/;
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, m.replace(/^node:/, '')]));

const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);

/**
 * The package an import specifier names, or null for a relative path, `node:` or no package name. A bare
 * builtin name (`buffer`) counts too: browser code bundles the npm package of that name.
 */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const name = PACKAGE_NAME.exec(specifier)?.[0];
  if (
    !name ||
    name !==
      specifier
        .split('/')
        .slice(0, name.startsWith('@') ? 2 : 1)
        .join('/')
  )
    return null;
  return name;
}

/** The nearest package.json above a tracked file: the package that must declare what the file imports. */
function ownerOf(file: string): string {
  let dir = dirname(join(ROOT, file));
  while (dir.startsWith(ROOT) && !existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return join(dir, 'package.json');
}

const manifests = new Map<string, Manifest>();
const imports = new Map<string, Map<string, string[]>>(); // manifest → package → files
for (const file of tracked.filter((f) => SOURCE.test(f) && existsSync(join(ROOT, f)))) {
  const owner = ownerOf(file);
  if (!manifests.has(owner)) manifests.set(owner, JSON.parse(readFileSync(owner, 'utf8')) as Manifest);
  const byPackage = imports.get(owner) ?? new Map<string, string[]>();
  imports.set(owner, byPackage);
  for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(SPECIFIERS)) {
    const name = packageOf(m[2]!);
    if (name) byPackage.set(name, [...(byPackage.get(name) ?? []), file]);
  }
}

const declaredIn = (manifest: Manifest) =>
  new Set(
    Object.keys({
      ...manifest.dependencies,
      ...manifest.devDependencies,
      ...manifest.peerDependencies,
      ...manifest.optionalDependencies,
    }),
  );

/** DefinitelyTyped's name for a package's types (`@types/aws-lambda`, `@types/scope__name`). */
const typesOf = (name: string) => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;

/** The commands a package installs (its package.json `bin`); a workspace's packages are hoisted to the root. */
function binsOf(manifestPath: string, name: string): string[] {
  const file = [dirname(manifestPath), ROOT]
    .map((dir) => join(dir, 'node_modules', name, 'package.json'))
    .find((path) => existsSync(path));
  if (!file) return [];
  const bin = (JSON.parse(readFileSync(file, 'utf8')) as { bin?: string | Record<string, string> }).bin;
  if (bin === undefined) return [];
  return typeof bin === 'string' ? [name.split('/').pop()!] : Object.keys(bin);
}

/** Where a package is used without an import: the commands the scripts, CI and CDK run, codegen plugins. */
function toolText(manifestPath: string, manifest: Manifest): string {
  const dir = dirname(manifestPath);
  const text = Object.values(manifest.scripts ?? {});
  for (const f of ['.ci/run', 'cdk.json'])
    if (existsSync(join(dir, f))) text.push(readFileSync(join(dir, f), 'utf8'));
  return text.join('\n');
}

/** codegen.yml's plugins, which @graphql-codegen/cli loads as @graphql-codegen/<plugin>. */
function codegenPlugins(manifestPath: string): string[] {
  const file = join(dirname(manifestPath), 'codegen.yml');
  if (!existsSync(file)) return [];
  const plugins = [...readFileSync(file, 'utf8').matchAll(/^\s*-\s+([\w-]+):?\s*$/gm)].map((m) => m[1]!);
  return [...new Set(plugins.map((p) => `@graphql-codegen/${p}`))];
}

describe('package.json', () => {
  it('declares every package the code imports or codegen loads, in the package that owns the file', () => {
    // Act
    const undeclared: string[] = [];
    for (const [owner, byPackage] of imports) {
      const declared = declaredIn(manifests.get(owner)!);
      for (const [name, files] of byPackage) {
        if (!declared.has(name) && !declared.has(typesOf(name)) && !BUILTINS.has(name))
          undeclared.push(
            `${name} (imported by ${files[0]}) is not declared in ${owner.slice(ROOT.length + 1)}`,
          );
      }
      for (const plugin of codegenPlugins(owner)) {
        if (!declared.has(plugin))
          undeclared.push(
            `${plugin} (a codegen.yml plugin) is not declared in ${owner.slice(ROOT.length + 1)}`,
          );
      }
    }
    // Assess
    expect(undeclared).toEqual([]);
  });

  it('declares no package that nothing imports, runs or loads', () => {
    // Act
    const unused: string[] = [];
    for (const [owner, manifest] of manifests) {
      const used = imports.get(owner) ?? new Map<string, string[]>();
      const tools = toolText(owner, manifest);
      const plugins = codegenPlugins(owner);
      for (const name of declaredIn(manifest)) {
        const typesFor = name.startsWith('@types/') ? name.slice('@types/'.length).replace('__', '/') : null;
        const isUsed =
          used.has(name) ||
          (typesFor !== null && (used.has(typesFor) || typesFor === 'node' || used.has(`@${typesFor}`))) ||
          binsOf(owner, name).some((bin) => new RegExp(`(^|[\\s"'/])${bin}(\\s|$|")`, 'm').test(tools)) ||
          plugins.includes(name);
        if (!isUsed) unused.push(`${name} in ${owner.slice(ROOT.length + 1)}`);
      }
    }
    // Assess
    expect(unused).toEqual([]);
  });
});
