import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { APPSYNC_DIRECTIVES_SDL, allowedModes, authorizeField } from '../../../auth/directives.js';
import type { AuthMode } from '../../../auth/identity.js';

const schema = buildSchema(`${APPSYNC_DIRECTIVES_SDL}
type Order @aws_cognito_user_pools @aws_iam {
  id: ID!
  total: Int
  internalNote: String @aws_iam
  placedAt: AWSDateTime
}
type Vendor {
  id: ID!
  payoutAccount: String @aws_cognito_user_pools(cognito_groups: ["admin"])
}
type Query {
  order(id: ID!): Order
  vendor(id: ID!): Vendor
  publicMenu: String @aws_api_key
  adminReport: String @aws_auth(cognito_groups: ["admin", "finance"])
  shared: String @aws_api_key @aws_cognito_user_pools
}
type Mutation @aws_iam {
  markPaid(orderId: ID!): Order
  placeOrder(input: AWSJSON): Order @aws_cognito_user_pools(cognito_groups: ["customer"])
}
type Subscription {
  onOrderPaid: Order @aws_subscribe(mutations: ["markPaid"]) @aws_cognito_user_pools
}
`);

const COGNITO: AuthMode = 'AMAZON_COGNITO_USER_POOLS';

describe('AppSync authorization directives', () => {
  // AppSync developer guide, "Configuring authorization and authentication": field directives override
  // type directives, and a type or field without a directive is protected by the default mode only.
  it.each([
    { type: 'Query', field: 'order', modes: [COGNITO], source: 'default' },
    { type: 'Query', field: 'publicMenu', modes: ['API_KEY'], source: 'field' },
    { type: 'Query', field: 'shared', modes: ['API_KEY', COGNITO], source: 'field' },
    { type: 'Order', field: 'total', modes: [COGNITO, 'AWS_IAM'], source: 'type' },
    { type: 'Order', field: 'internalNote', modes: ['AWS_IAM'], source: 'field' },
    { type: 'Mutation', field: 'markPaid', modes: ['AWS_IAM'], source: 'type' },
    { type: 'Mutation', field: 'placeOrder', modes: [COGNITO], source: 'field' },
    { type: 'Subscription', field: 'onOrderPaid', modes: [COGNITO], source: 'field' },
  ])('gives $type.$field the modes $modes from its $source', ({ type, field, modes, source }) => {
    // Act
    const rule = allowedModes(schema, type, field, COGNITO);
    // Assess
    expect(rule.modes).toEqual(modes);
    expect(rule.source).toBe(source);
  });

  it('gives an undirected field the default mode even when it is API_KEY', () => {
    // Act
    const rule = allowedModes(schema, 'Vendor', 'id', 'API_KEY');
    // Assess
    expect(rule).toEqual({ modes: ['API_KEY'], source: 'default' });
  });

  it('collects the cognito groups of @aws_auth and @aws_cognito_user_pools', () => {
    // Act
    const report = allowedModes(schema, 'Query', 'adminReport', 'API_KEY');
    const payout = allowedModes(schema, 'Vendor', 'payoutAccount', 'API_KEY');
    // Assess
    expect(report.cognitoGroups).toEqual(['admin', 'finance']);
    expect(payout.cognitoGroups).toEqual(['admin']);
  });

  const caller = (mode: AuthMode, cognitoGroups?: string[]) => ({ mode, cognitoGroups });
  it.each([
    { what: 'IAM on an IAM type', type: 'Mutation', field: 'markPaid', who: caller('AWS_IAM'), ok: true },
    {
      what: 'Cognito on an IAM type',
      type: 'Mutation',
      field: 'markPaid',
      who: caller(COGNITO, []),
      ok: false,
    },
    {
      what: 'IAM on a field that overrides to Cognito',
      type: 'Mutation',
      field: 'placeOrder',
      who: caller('AWS_IAM'),
      ok: false,
    },
    {
      what: 'a customer on a customer field',
      type: 'Mutation',
      field: 'placeOrder',
      who: caller(COGNITO, ['customer']),
      ok: true,
    },
    {
      what: 'a vendor on a customer field',
      type: 'Mutation',
      field: 'placeOrder',
      who: caller(COGNITO, ['vendor']),
      ok: false,
    },
    {
      what: 'a user without groups on a group field',
      type: 'Query',
      field: 'adminReport',
      who: caller(COGNITO),
      ok: false,
    },
    {
      what: 'API key on an undirected field of a Cognito API',
      type: 'Query',
      field: 'order',
      who: caller('API_KEY'),
      ok: false,
    },
    {
      what: 'Cognito on an undirected field of a Cognito API',
      type: 'Query',
      field: 'order',
      who: caller(COGNITO, []),
      ok: true,
    },
    {
      what: 'Cognito on an API key field',
      type: 'Query',
      field: 'publicMenu',
      who: caller(COGNITO, []),
      ok: false,
    },
  ])('decides $what: allowed=$ok', ({ type, field, who, ok }) => {
    // Act
    const result = authorizeField({
      schema,
      typeName: type,
      fieldName: field,
      defaultMode: COGNITO,
      caller: who,
    });
    // Assess
    expect(result.ok).toBe(ok);
  });

  it("rejects with AppSync's Unauthorized error naming the field and type", () => {
    // Act
    const result = authorizeField({
      schema,
      typeName: 'Order',
      fieldName: 'internalNote',
      defaultMode: COGNITO,
      caller: caller(COGNITO, ['admin']),
    });
    // Assess: the error AppSync returns in `errors` for a field the caller may not access
    expect(result).toEqual({
      ok: false,
      error: { errorType: 'Unauthorized', message: 'Not Authorized to access internalNote on type Order' },
    });
  });

  it('rejects a Cognito caller on an undirected field when the pool default action is DENY', () => {
    // Act
    const denied = authorizeField({
      schema,
      typeName: 'Query',
      fieldName: 'order',
      defaultMode: COGNITO,
      caller: caller(COGNITO, ['customer']),
      userPoolDefaultAction: 'DENY',
    });
    const listed = authorizeField({
      schema,
      typeName: 'Query',
      fieldName: 'adminReport',
      defaultMode: COGNITO,
      caller: caller(COGNITO, ['finance']),
      userPoolDefaultAction: 'DENY',
    });
    // Assess
    expect(denied.ok).toBe(false);
    expect(listed.ok).toBe(true);
  });

  it('fails when asked about a field the type does not have', () => {
    // Act
    const act = () => allowedModes(schema, 'Query', 'nope', COGNITO);
    // Assess
    expect(act).toThrow('field nope is not on type Query');
  });
});
