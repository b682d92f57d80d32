import { buildASTSchema, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bundling.js';
import type { ResolverEntry } from '../resolvers/manifest.js';

/** schema.graphql plus the scalars and directives AppSync predefines, as graphql-js can build it. */
export function buildAppSyncSchema(schemaText: string): GraphQLSchema {
  const prelude = readFileSync(join(ROOT, 'infra', 'graphql', 'appsync.graphql'), 'utf8');
  return buildASTSchema(parse(`${prelude}\n${schemaText}`));
}

/**
 * Fails synth when the manifest names a type or field the schema does not have, a function that is not
 * defined, or the same field twice: each message names the culprit.
 */
export function assertManifestMatchesSchema(
  schemaText: string,
  resolvers: readonly ResolverEntry[],
  functions: Readonly<Record<string, unknown>>,
): void {
  const schema = buildAppSyncSchema(schemaText);
  const seen = new Set<string>();
  for (const entry of resolvers) {
    const where = `${entry.typeName}.${entry.fieldName}`;
    const type = schema.getType(entry.typeName);
    if (!type || !isObjectType(type)) {
      throw new Error(`resolver manifest: type '${entry.typeName}' (for ${where}) is not in schema.graphql`);
    }
    if (!type.getFields()[entry.fieldName]) {
      throw new Error(`resolver manifest: field '${where}' is not in schema.graphql`);
    }
    if (seen.has(where)) throw new Error(`resolver manifest: ${where} has more than one resolver`);
    seen.add(where);
    if (entry.kind === 'pipeline') {
      for (const name of entry.functions) {
        if (!(name in functions))
          throw new Error(`resolver manifest: ${where} uses unknown function '${name}'`);
      }
    }
  }
}
