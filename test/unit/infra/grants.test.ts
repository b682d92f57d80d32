import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import { Kind, OperationTypeNode, parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../infra/bundling.js';
import { grantTableAccess } from '../../../infra/constructs/table-access.js';
import { synthTemplates } from './synth.js';

/** What one function may do, as a sorted list of `<action> <resource>` lines. */
type Grants = string[];

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

/** A resource as a short name: the table, an index, a mutation, the topic. */
function resourceName(resource: unknown): string {
  const text = JSON.stringify(resource);
  const index = /\/index\/(\w+)/.exec(text);
  if (text.includes('OrderloopData-TableArn')) return index ? `table/index/${index[1]}` : 'table';
  const field = /types\/Mutation\/fields\/(\w+)/.exec(text);
  if (field) return `Mutation.${field[1]}`;
  if (text.includes('NotificationTopic')) return 'topic';
  return text;
}

/** The grants on tables, the API and the topic of each function, by its folder under functions/. */
function grantsByFunction(template: Template): Record<string, Grants> {
  const functions = template.findResources('AWS::Lambda::Function');
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  const out: Record<string, Grants> = {};
  for (const fn of Object.values(functions)) {
    const dir = fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME as string | undefined;
    if (!dir) continue;
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const lines = new Set<string>();
    for (const policy of policies) {
      if (
        !(policy.Properties.Roles as unknown[]).some(
          (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }),
        )
      )
        continue;
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        const actions = [statement.Action].flat();
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const action of actions) {
          if (!/^(dynamodb|appsync|sns):/.test(action)) continue;
          for (const resource of resources) {
            const name = resourceName(resource);
            // appsync:GraphQL on the API's own ARN pattern is the same grant as its field ARNs.
            if (action === 'appsync:GraphQL' && !name.startsWith('Mutation.')) continue;
            lines.add(`${action} ${name}`);
          }
        }
      }
    }
    out[dir] = [...lines].sort();
  }
  return out;
}

/** The .ts files a handler reaches through relative imports, inside the repository. */
function reachableFiles(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts');
      if (existsSync(target)) queue.push(target);
    }
  }
  return [...seen];
}

/**
 * The backend's operations (functions/lib/graphql/backend.graphql) and the mutation fields each calls
 * (one request may carry several); codegen names each `<Name>Document`.
 */
const BACKEND_OPERATIONS = parse(
  readFileSync(join(ROOT, 'functions', 'lib', 'graphql', 'backend.graphql'), 'utf8'),
).definitions.flatMap((d) =>
  d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.MUTATION && d.name
    ? [
        {
          name: d.name.value,
          fields: d.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])),
        },
      ]
    : [],
);

const COMMAND_ACTIONS: Record<string, string> = {
  GetCommand: 'GetItem',
  BatchGetCommand: 'BatchGetItem',
  BatchGetItemCommand: 'BatchGetItem',
  GetItemCommand: 'GetItem',
  PutCommand: 'PutItem',
  PutItemCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  UpdateItemCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  DeleteItemCommand: 'DeleteItem',
};
const TRANSACT_PARTS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/**
 * The grants a function's code needs, read from the calls it makes: DynamoDB commands (and the parts of
 * its transactions), the indexes its queries name, the AppSync documents it sends and SNS publishes.
 */
function grantsCalledBy(dir: string): Grants {
  const files = reachableFiles(join(ROOT, 'functions', dir, 'handler.ts')).filter(
    (f) => !relative(ROOT, f).startsWith(join('functions', 'lib', 'generated')),
  );
  const code = files.map((f) => readFileSync(f, 'utf8').replace(/^\s*(\/\/|\*|\/\*).*$/gm, '')).join('\n');
  const lines = new Set<string>();
  for (const [command, action] of Object.entries(COMMAND_ACTIONS)) {
    if (new RegExp(`new ${command}\\(`).test(code)) lines.add(`dynamodb:${action} table`);
  }
  if (/new TransactWriteCommand\(/.test(code)) {
    for (const m of code.matchAll(/\b(Put|Update|Delete|ConditionCheck)\s*:\s*\{/g))
      lines.add(`dynamodb:${TRANSACT_PARTS[m[1]!]} table`);
  }
  if (/new QueryCommand\(/.test(code)) {
    const indexes = [...code.matchAll(/\bINDEX\.(\w+)/g)].map((m) => m[1]!);
    if (/IndexName:/.test(code))
      for (const index of indexes) lines.add(`dynamodb:Query table/index/${index}`);
    // A query without an index, or whose index is optional (`IndexName: index ?? undefined`), reads the
    // table itself.
    if (!/IndexName:/.test(code) || /IndexName: [\w.]+ \?\? undefined/.test(code))
      lines.add('dynamodb:Query table');
  }
  for (const { name, fields } of BACKEND_OPERATIONS) {
    if (new RegExp(`\\b${name}Document\\b`).test(code))
      for (const field of fields) lines.add(`appsync:GraphQL Mutation.${field}`);
  }
  // sns:Publish grants both Publish and PublishBatch ("Amazon SNS API permissions: Actions and resources
  // reference", SNS developer guide).
  if (/new Publish(Batch)?Command\(/.test(code)) lines.add('sns:Publish topic');
  return [...lines].sort();
}

let granted: Record<string, Grants>;
beforeAll(() => {
  granted = grantsByFunction(synthTemplates().api);
}, 120_000);

describe('least privilege', () => {
  it('grants each function exactly the table actions, indexes, mutations and topic it uses', () => {
    // Assess
    expect(granted).toEqual({
      assistant: [
        'dynamodb:GetItem table',
        'dynamodb:Query table',
        'dynamodb:Query table/index/byCustomer',
        'dynamodb:Query table/index/byStatus',
      ],
      inventory: ['dynamodb:GetItem table', 'dynamodb:PutItem table', 'dynamodb:UpdateItem table'],
      notification: [
        'appsync:GraphQL Mutation.publishNotification',
        'appsync:GraphQL Mutation.publishOrderStatus',
        'appsync:GraphQL Mutation.publishSharedNotification',
        'appsync:GraphQL Mutation.publishVendorOrderStatus',
        'dynamodb:GetItem table',
        'sns:Publish topic',
      ],
      payment: [
        'appsync:GraphQL Mutation.publishNotification',
        'appsync:GraphQL Mutation.publishSharedNotification',
        'appsync:GraphQL Mutation.recordPaymentResult',
        'dynamodb:GetItem table',
        'sns:Publish topic',
      ],
      'pre-token-generation': [],
      'stream-enricher': [],
      sweeper: [
        'dynamodb:BatchGetItem table',
        'dynamodb:GetItem table',
        'dynamodb:PutItem table',
        'dynamodb:Query table/index/byStatus',
        'dynamodb:Query table/index/byVendor',
        'dynamodb:UpdateItem table',
      ],
    });
  });

  it('grants each function what its code calls, so a new call without its grant fails here, not in AWS', () => {
    // Prepare
    const dirs = readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'lib')
      .map((d) => d.name);
    // Act
    const called = Object.fromEntries(dirs.map((dir) => [dir, grantsCalledBy(dir)]));
    // Assess
    expect(granted).toEqual(called);
  });
});

describe('grantTableAccess', () => {
  function table(stack: Stack) {
    return TableV2.fromTableAttributes(stack, 'T', {
      tableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders',
    });
  }

  it('grants the item actions on the table and Query on the named indexes only', () => {
    // Prepare
    const stack = new Stack();
    const role = new Role(stack, 'R', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    // Act
    grantTableAccess(role, table(stack), { actions: ['GetItem', 'UpdateItem'], queryIndexes: ['byStatus'] });
    // Assess
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policy?.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders',
      },
      {
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders/index/byStatus',
      },
    ]);
  });

  it('rejects an access that names neither actions nor indexes', () => {
    // Prepare
    const stack = new Stack();
    const role = new Role(stack, 'R', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    // Assess
    expect(() => grantTableAccess(role, table(stack), {})).toThrow(
      'grantTableAccess needs actions or queryIndexes, received neither',
    );
  });
});
