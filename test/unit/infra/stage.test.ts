import { describe, expect, it } from 'vitest';
import { loadAssembly } from '@orderloop/local/assembly';
import { appSyncConfigFromAssembly } from '@orderloop/local/appsync/config';
import { GraphQLEngine } from '@orderloop/local/appsync/server/engine';
import { synthTemplates } from './synth.js';

// AppSync "configuration-limits": keep introspection for development and disable it in production.
describe('stage setting: introspection', () => {
  it('disables introspection on the API for the prod stage, and the local runtime refuses introspection', async () => {
    // Prepare
    const t = synthTemplates({ stage: 'prod' });
    // Act
    const [config] = appSyncConfigFromAssembly(loadAssembly(t.app.synth().directory));
    const engine = new GraphQLEngine(config!, { invoke: async () => ({ result: null }) });
    const out = await engine.execute({
      query: '{ __schema { queryType { name } } }',
      auth: { ok: true, mode: 'API_KEY', identity: null },
      headers: {},
    });
    // Assess: AppSync answers as if the field did not exist
    t.api.hasResourceProperties('AWS::AppSync::GraphQLApi', { IntrospectionConfig: 'DISABLED' });
    expect(config!.introspection).toBe(false);
    expect(out.response).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          message:
            "Validation error of type FieldUndefined: Field '__schema' in type 'Query' is undefined @ '__schema'",
        }),
      ],
    });
  }, 120_000);

  it('keeps introspection enabled for the dev stage, the default', () => {
    // Act
    const t = synthTemplates();
    // Assess
    t.api.hasResourceProperties('AWS::AppSync::GraphQLApi', { IntrospectionConfig: 'ENABLED' });
  }, 120_000);

  it('fails synth for an unknown stage, naming the stages it knows', () => {
    // Act
    const synth = () => synthTemplates({ stage: 'qa' });
    // Assess
    expect(synth).toThrow('stage must be one of dev, prod, received qa');
  });
});
