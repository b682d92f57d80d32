/**
 * The shapes the assembly loader hands to the rest of the local runtime. Runtime pieces (Lambda host,
 * SQS, EventBridge, Pipes, AppSync) take plain config built from these, never a second list of wiring.
 */

/** Local URLs that some CloudFormation values resolve to (GraphQLUrl, queue URLs). */
export interface LocalEndpoints {
  /** The local AppSync HTTP endpoint, e.g. http://127.0.0.1:4000/graphql. */
  readonly graphqlUrl?: string;
  /** The local AppSync real-time (WebSocket) endpoint. */
  readonly realtimeUrl?: string;
  /** One local AWS gateway URL that serves the SQS, Lambda, EventBridge … APIs. */
  readonly awsEndpoint?: string;
  /** The DynamoDB Local endpoint. */
  readonly dynamodbEndpoint?: string;
}

/** Options of {@link loadAssembly}. */
export interface LoadAssemblyOptions {
  /** Local endpoints to resolve URLs to; can be set later with setEndpoints. @default AWS-shaped URLs */
  readonly endpoints?: LocalEndpoints;
  /** Values for template parameters, by stack name then parameter name. @default each parameter's Default */
  readonly parameters?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Put in front of every DynamoDB table's physical name, named in the template or generated, so several
   * assemblies (or several runs of one) can share one DynamoDB Local without seeing each other's tables.
   * @default no prefix
   */
  readonly tableNamePrefix?: string;
}

/** One CloudFormation stack of the assembly, in deployment (dependency) order. */
export interface LoadedStack {
  /** The CloudFormation stack name (AWS::StackName). */
  readonly name: string;
  /** The artifact id in manifest.json (usually the construct id; differs inside stages). */
  readonly artifactId: string;
  /** Absolute path of `<Stack>.template.json`. */
  readonly templatePath: string;
  /** The template as written by cdk synth. */
  readonly template: CfnTemplate;
}

/** A CloudFormation template, loosely typed: only the sections the loader reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

/** A resource as it appears in a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

/**
 * A resource with its intrinsics resolved to local values. Reading a field resolves it at that moment, so
 * values patched in later (a table's StreamArn, the local GraphQLUrl) are seen by every later read.
 */
export interface LoadedResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** Properties with every intrinsic resolved; AWS::NoValue entries are removed. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation properties are schemaless JSON; consumers narrow them per type
  readonly properties: any;
  /** Properties exactly as in the template. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  readonly rawProperties: any;
  /** The explicit name property when set, otherwise a stable `${stack}-${logicalId}`-based name. */
  readonly physicalName: string;
  /** What `Ref` of this resource returns (per type, as CloudFormation documents it). */
  readonly ref: string;
  /** The resource ARN when the type has one. */
  readonly arn?: string;
  /** Every `Fn::GetAtt` attribute the loader knows for this type, plus patched ones. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The template Metadata of the resource (aws:cdk:path and friends). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The construct path, e.g. `OrderloopApi/Processor/Resource`, from the template or the manifest. */
  readonly cdkPath?: string;
}

/** A synthesized cloud assembly, resolved for the local runtime. */
export interface Assembly {
  /** The cdk.out folder, absolute. */
  readonly directory: string;
  /** Stacks in dependency order. */
  readonly stacks: readonly LoadedStack[];
  /** The endpoints URLs currently resolve to. */
  readonly endpoints: LocalEndpoints;
  /** Every resource (whose Condition holds) of every stack, optionally only of one type. */
  resources(type?: string): LoadedResource[];
  /** One resource; throws when the stack or logical id is unknown. */
  get(stack: string, logicalId: string): LoadedResource;
  /** The resource whose construct path is `path` or ends with `/path`; undefined when none. */
  findByPath(path: string): LoadedResource | undefined;
  /** Resolves any template value (intrinsics included) in the scope of a stack. */
  resolve(value: unknown, stack: string): unknown;
  /** The stack's Outputs, resolved. */
  outputs(stack: string): Record<string, unknown>;
  /** The local file or folder of an S3 asset: a key, an s3:// URL, or a `{S3Bucket, S3Key}` object. */
  assetPath(location: unknown): string;
  /**
   * The text of an inline-or-asset property: `prop` itself (Code, Definition, RequestMappingTemplate…) or
   * the file behind `${prop}S3Location`. Undefined when the resource has neither.
   */
  readSource(resource: LoadedResource, prop: string): string | undefined;
  /** Overrides one GetAtt attribute (e.g. the StreamArn DynamoDB Local created); later reads see it. */
  setAttribute(stack: string, logicalId: string, attribute: string, value: string): void;
  /** Replaces the local endpoints (ports are often known only after the servers start). */
  setEndpoints(endpoints: LocalEndpoints): void;
}
