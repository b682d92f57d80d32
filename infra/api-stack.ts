import { ApplicationLogLevel } from 'aws-cdk-lib/aws-lambda';
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  ClientAttributes,
  FeaturePlan,
  LambdaVersion,
  StringAttribute,
  UserPool,
  UserPoolOperation,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Schedule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { INDEX } from '../domain/keys.js';
import { functions as pipelineFunctions, resolvers } from '../resolvers/manifest.js';
import { ROOT } from './bundling.js';
import { orderloopFunction } from './constructs/lambda-defaults.js';
import { OrderApi } from './constructs/order-api.js';
import { OrderEventsPipe } from './constructs/order-events-pipe.js';
import { EventConsumer } from './constructs/event-consumer.js';
import { grantTableAccess } from './constructs/table-access.js';
import { DATA_EXPORTS } from './stateful-stack.js';
import { stageSettings, type Stage } from './stage.js';
import { acknowledgeApiStackFindings, acknowledgeScopedWildcards } from './nag-acknowledgements.js';

/** Props for the stateless API stack. */
export interface ApiStackProps extends StackProps {
  /**
   * The single table comes from the stateful stack through its named exports (DATA_EXPORTS), so the
   * stacks share a stable contract rather than generated export names.
   */
  /** Minutes an order may stay unpaid before the sweeper cancels it. @default 30 */
  readonly unpaidOrderTtlMinutes?: number;
  /**
   * Bedrock foundation model the assistant calls; also the CDK context value `assistantModelId`
   * (`cdk deploy -c assistantModelId=...`). @default DEFAULT_ASSISTANT_MODEL_ID
   */
  readonly assistantModelId?: string;
  /** Stage-dependent settings (introspection off in prod). @default 'dev' */
  readonly stage?: Stage;
}

/** A Claude Haiku-class model with on-demand throughput in the Bedrock regions the app deploys to. */
export const DEFAULT_ASSISTANT_MODEL_ID = 'anthropic.claude-3-haiku-20240307-v1:0';

/** The IAM-only mutations each consumer calls (functions/lib/graphql/backend.graphql); the others call none. */
export const CONSUMER_MUTATIONS = {
  payment: ['recordPaymentResult', 'publishNotification', 'publishSharedNotification'],
  notification: [
    'publishOrderStatus',
    'publishVendorOrderStatus',
    'publishNotification',
    'publishSharedNotification',
  ],
} as const;

/** The user groups; a user's group decides what the API lets it do. */
export const USER_GROUPS = ['customer', 'vendor', 'admin'] as const;

/** The API, the event chain (pipe, bus, rules, consumers), notifications and monitoring. */
export class ApiStack extends Stack {
  /** The GraphQL API. */
  readonly orderApi: OrderApi;
  /** The user pool customers, vendors and admins sign in to. */
  readonly userPool: UserPool;
  /** The app client that signs users in. */
  readonly userPoolClient: UserPoolClient;
  /** Domain events. */
  readonly bus: EventBus;
  /** The consumers by name. */
  readonly consumers: Readonly<Record<'inventory' | 'payment' | 'notification' | 'sweeper', EventConsumer>>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const table = TableV2.fromTableAttributes(this, 'Table', {
      tableArn: Fn.importValue(DATA_EXPORTS.tableArn),
      tableStreamArn: Fn.importValue(DATA_EXPORTS.tableStreamArn),
    });

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      // The vendor identity (schema.graphql's header): set by an admin when the user is created, never after.
      customAttributes: { vendorId: new StringAttribute({ mutable: false }) },
      // Access token customization (the V2_0 pre token generation event) needs Essentials or Plus.
      featurePlan: FeaturePlan.ESSENTIALS,
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPoolClient = this.userPool.addClient('WebClient', {
      authFlows: { userPassword: true, userSrp: true },
      preventUserExistenceErrors: true,
      // Listed, not left to the default: users may edit their name and nothing that decides access.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
    });
    this.userPool.addTrigger(
      UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      orderloopFunction(this, 'PreTokenGeneration', { functionDir: 'pre-token-generation' }),
      LambdaVersion.V2_0,
    );
    for (const group of USER_GROUPS) {
      new CfnUserPoolGroup(this, `${group[0]!.toUpperCase()}${group.slice(1)}Group`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description: `orderloop ${group}s`,
      });
    }

    const assistantModelId =
      props.assistantModelId ??
      (this.node.tryGetContext('assistantModelId') as string | undefined) ??
      DEFAULT_ASSISTANT_MODEL_ID;
    const assistant = orderloopFunction(this, 'AssistantFunction', {
      functionDir: 'assistant',
      environment: { TABLE_NAME: table.tableName, BEDROCK_MODEL_ID: assistantModelId },
      // Its one INFO line per answer is the record of the model's token usage (Bedrock's bill).
      logLevelAtMost: ApplicationLogLevel.INFO,
    });
    // The reader (functions/assistant/reader.ts): one order by key, queries of the vendors' lists on the
    // table and of two indexes.
    grantTableAccess(assistant, table, {
      // Query on the table itself: a vendor's order list is entries of the table (domain/keys.ts).
      actions: ['GetItem', 'Query'],
      queryIndexes: [INDEX.byCustomer, INDEX.byStatus],
    });
    // Bedrock API reference, Converse: "This operation requires permission for the bedrock:InvokeModel
    // action" (there is no bedrock:Converse action).
    assistant.addToRolePolicy(
      new PolicyStatement({
        actions: ['bedrock:InvokeModel'],
        resources: [`arn:${this.partition}:bedrock:${this.region}::foundation-model/${assistantModelId}`],
      }),
    );

    this.orderApi = new OrderApi(this, 'OrderApi', {
      schemaFile: join(ROOT, 'schema.graphql'),
      table: table,
      userPool: this.userPool,
      resolvers,
      functions: pipelineFunctions,
      assistantFunction: assistant,
      introspection: stageSettings(props.stage ?? 'dev').introspection,
    });
    const api = this.orderApi.api;

    this.bus = new EventBus(this, 'Bus');
    // A pure mapping of records to events, with no AWS SDK client in its bundle: the smallest size does.
    const enricher = orderloopFunction(this, 'StreamEnricher', {
      functionDir: 'stream-enricher',
      memorySize: 128,
    });
    const pipe = new OrderEventsPipe(this, 'OrderEventsPipe', {
      table: table,
      bus: this.bus,
      enrichment: enricher,
    });

    const notificationTopic = new Topic(this, 'NotificationTopic', {
      masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });

    const common = { TABLE_NAME: table.tableName };
    const inventory = new EventConsumer(this, 'InventoryConsumer', {
      functionDir: 'inventory',
      bus: this.bus,
      eventTypes: ['order.statusChanged', 'vendorOrder.statusChanged'],
      // Only these move stock (functions/inventory/logic.ts: a part's shipping commits it, not the
      // payment); the rule leaves the others out.
      eventDataByType: {
        'order.statusChanged': { status: ['CANCELLED'] },
        'vendorOrder.statusChanged': { status: ['SHIPPED', 'REJECTED', 'CANCELLED'] },
      },
      environment: common,
    });
    const payment = new EventConsumer(this, 'PaymentConsumer', {
      functionDir: 'payment',
      bus: this.bus,
      eventTypes: ['payment.requested', 'order.statusChanged', 'vendorOrder.statusChanged'],
      // Only these charge or refund (functions/payment/logic.ts); the rule leaves the others out.
      eventDataByType: {
        'order.statusChanged': { status: ['CANCELLED'] },
        'vendorOrder.statusChanged': { status: ['REJECTED', 'CANCELLED'] },
      },
      environment: {
        ...common,
        APPSYNC_URL: api.graphqlUrl,
        PAYMENT_GATEWAY: 'simulator',
        NOTIFICATION_TOPIC_ARN: notificationTopic.topicArn,
      },
    });
    const notification = new EventConsumer(this, 'NotificationConsumer', {
      functionDir: 'notification',
      bus: this.bus,
      eventTypes: ['order.statusChanged', 'vendorOrder.statusChanged', 'product.changed'],
      environment: {
        ...common,
        APPSYNC_URL: api.graphqlUrl,
        NOTIFICATION_TOPIC_ARN: notificationTopic.topicArn,
      },
    });
    const sweeper = new EventConsumer(this, 'UnpaidOrderSweeper', {
      functionDir: 'sweeper',
      bus: this.bus,
      schedule: Schedule.rate(Duration.minutes(5)),
      eventTypes: ['order.statusChanged'],
      eventData: { status: ['DELIVERED'] },
      environment: { ...common, UNPAID_ORDER_TTL_MINUTES: String(props.unpaidOrderTtlMinutes ?? 30) },
      // A scheduled run pages the all-orders list from its watermark and stops 20 s before its end
      // (functions/sweeper/logic.ts): at 1,000 orders/s a 5-minute window is 300,000 orders to read
      // (docs/capacity.md). One at a time, so two runs rarely race on a watermark (its write is conditional).
      timeout: Duration.minutes(2),
      reservedConcurrency: 1,
    });
    this.consumers = { inventory, payment, notification, sweeper };
    // Least privilege: each consumer gets the table actions and the mutations its code calls, no more
    // (a TransactWriteItems needs the action of each of its parts; test/unit/infra/grants.test.ts ties
    // these to the calls in functions/).
    grantTableAccess(inventory.function, table, { actions: ['GetItem', 'PutItem', 'UpdateItem'] });
    grantTableAccess(payment.function, table, { actions: ['GetItem'] });
    api.grantMutation(payment.function, ...CONSUMER_MUTATIONS.payment);
    // The payment notices' mail (functions/payment/logic.ts recordChargeResult).
    notificationTopic.grantPublish(payment.function);
    grantTableAccess(notification.function, table, { actions: ['GetItem'] });
    api.grantMutation(notification.function, ...CONSUMER_MUTATIONS.notification);
    notificationTopic.grantPublish(notification.function);
    // The sweeper reads the all-orders list (byVendor) and its orders (BatchGetItem), the DELIVERED
    // entries (byStatus), cancels and completes (one conditional UpdateItem each) and stores its
    // watermarks (Put).
    grantTableAccess(sweeper.function, table, {
      actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem'],
      queryIndexes: [INDEX.byVendor, INDEX.byStatus],
    });

    const apiMetric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/AppSync',
        metricName,
        dimensionsMap: { GraphQLAPIId: api.apiId },
        statistic,
        period: Duration.minutes(5),
      });
    new Alarm(this, 'AppSync5xxAlarm', {
      alarmDescription: 'The GraphQL API answers with server errors',
      metric: apiMetric('5XXError', 'Sum'),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `orderloop-${this.stackName}` });
    dashboard.addWidgets(
      new TextWidget({ markdown: '# orderloop\nAPI, event chain and consumers', width: 24, height: 2 }),
      new GraphWidget({
        title: 'AppSync requests and errors',
        left: [apiMetric('4XXError', 'Sum'), apiMetric('5XXError', 'Sum')],
        right: [apiMetric('Latency', 'p99')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Dead-letter queues',
        left: [pipe.deadLetterQueue, ...Object.values(this.consumers).map((c) => c.deadLetterQueue)].map(
          (q) => q.metricApproximateNumberOfMessagesVisible(),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Consumer errors',
        left: Object.values(this.consumers).map((c) => c.function.metricErrors()),
        right: Object.values(this.consumers).map((c) => c.function.metricInvocations()),
        width: 24,
      }),
    );

    acknowledgeApiStackFindings(this);
    acknowledgeScopedWildcards(this);

    new CfnOutput(this, 'GraphqlUrl', { value: api.graphqlUrl });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
  }
}
