/**
 * Reads what `cdk synth` wrote to cdk.out and resolves every stack's resources to local values. It is the
 * only source of wiring for the local runtime: names, ARNs, URLs and asset paths all come from here.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { CloudAssembly, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../aws-ids.js';
import { AssetIndex } from './assets.js';
import { evaluate, evaluateCondition, IntrinsicError, NO_VALUE, type IntrinsicScope } from './intrinsics.js';
import { generatedName } from './physical-names.js';
import { ruleFor, stableId, type ResourceFacts } from './resource-types.js';
import type {
  Assembly,
  CfnResource,
  CfnTemplate,
  LoadAssemblyOptions,
  LoadedResource,
  LoadedStack,
  LocalEndpoints,
} from './types.js';

/** Loads cdk.out (default `./cdk.out`) and returns its stacks with intrinsics resolved to local values. */
export function loadAssembly(dir = 'cdk.out', options: LoadAssemblyOptions = {}): Assembly {
  const directory = resolvePath(dir);
  if (!existsSync(join(directory, 'manifest.json'))) {
    throw new Error(
      `no cloud assembly at ${directory} (manifest.json is missing); run \`npx cdk synth\` first`,
    );
  }
  // Lenient on the manifest version: the loader reads only long-stable fields of it.
  const cloud = new CloudAssembly(directory, { skipVersionCheck: true, skipEnumCheck: true });
  return new LocalAssembly(directory, cloud.stacksRecursively, options);
}

interface StackState {
  readonly info: LoadedStack;
  readonly resources: Map<string, ResourceState>;
  readonly conditions: Map<string, boolean>;
}

interface ResourceState {
  readonly stack: StackState;
  readonly logicalId: string;
  readonly def: CfnResource;
  readonly cdkPath?: string;
}

const PATH_METADATA = 'aws:cdk:path';
/** The resource types whose physical names take `tableNamePrefix`. */
const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

class LocalAssembly implements Assembly {
  readonly directory: string;
  readonly stacks: readonly LoadedStack[];
  private currentEndpoints: LocalEndpoints;
  private readonly byName = new Map<string, StackState>();
  private readonly ordered: StackState[] = [];
  private readonly assets: AssetIndex;
  private readonly overrides = new Map<string, string>();
  /** Bumped by every patch, so cached resolutions made before it are recomputed. */
  private generation = 0;
  private readonly cache = new Map<string, { generation: number; value: unknown }>();
  private readonly active = new Set<string>();
  private exportsByName?: Map<string, { stack: StackState; value: unknown }>;

  constructor(
    directory: string,
    artifacts: readonly CloudFormationStackArtifact[],
    private readonly options: LoadAssemblyOptions,
  ) {
    this.directory = directory;
    this.currentEndpoints = { ...options.endpoints };
    for (const artifact of artifacts) {
      const template = artifact.template as CfnTemplate;
      const info: LoadedStack = {
        name: artifact.stackName,
        artifactId: artifact.id,
        templatePath: artifact.templateFullPath,
        template,
      };
      const paths = new Map(
        artifact
          .findMetadataByType('aws:cdk:logicalId')
          .map((m) => [String(m.data), m.path.replace(/^\//, '')]),
      );
      const state: StackState = { info, resources: new Map(), conditions: new Map() };
      for (const [logicalId, def] of Object.entries(template.Resources ?? {})) {
        const fromTemplate = def.Metadata?.[PATH_METADATA];
        const cdkPath = typeof fromTemplate === 'string' ? fromTemplate : paths.get(logicalId);
        state.resources.set(logicalId, { stack: state, logicalId, def, cdkPath });
      }
      this.ordered.push(state);
      this.byName.set(info.name, state);
      if (!this.byName.has(info.artifactId)) this.byName.set(info.artifactId, state);
    }
    this.stacks = this.ordered.map((s) => s.info);
    this.assets = AssetIndex.fromStacks(artifacts);
  }

  get endpoints(): LocalEndpoints {
    return this.currentEndpoints;
  }

  resources(type?: string): LoadedResource[] {
    const out: LoadedResource[] = [];
    for (const stack of this.ordered) {
      for (const res of stack.resources.values()) {
        if (type && res.def.Type !== type) continue;
        if (!this.included(res)) continue;
        out.push(this.view(res));
      }
    }
    return out;
  }

  get(stack: string, logicalId: string): LoadedResource {
    const res = this.stackState(stack).resources.get(logicalId);
    if (!res) {
      throw new Error(
        `stack ${stack} has no resource ${logicalId}; it has ${[...this.stackState(stack).resources.keys()].join(', ')}`,
      );
    }
    return this.view(res);
  }

  findByPath(path: string): LoadedResource | undefined {
    const wanted = path.replace(/^\/|\/$/g, '');
    const matches = (p: string) => p === wanted || p.endsWith(`/${wanted}`);
    const found = this.ordered
      .flatMap((s) => [...s.resources.values()])
      .filter((r) => r.cdkPath && (matches(r.cdkPath) || matches(r.cdkPath.replace(/\/Resource$/, ''))));
    if (found.length > 1) {
      throw new Error(`construct path ${path} is ambiguous: ${found.map((r) => r.cdkPath).join(', ')}`);
    }
    return found[0] && this.view(found[0]);
  }

  resolve(value: unknown, stack: string): unknown {
    return evaluate(value, this.scope(this.stackState(stack), 'resolve()'));
  }

  outputs(stack: string): Record<string, unknown> {
    const state = this.stackState(stack);
    const out: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(state.info.template.Outputs ?? {})) {
      const condition = (output as { Condition?: string }).Condition;
      if (condition && !this.condition(state, condition)) continue;
      out[name] = evaluate(output.Value, this.scope(state, `Outputs.${name}`));
    }
    return out;
  }

  assetPath(location: unknown): string {
    return this.assets.pathOf(location);
  }

  readSource(resource: LoadedResource, prop: string): string | undefined {
    const props = (resource.properties ?? {}) as Record<string, unknown>;
    const inline = props[prop];
    if (typeof inline === 'string') return inline;
    const location = props[`${prop}S3Location`];
    if (location === undefined) return undefined;
    const path = this.assetPath(location);
    if (statSync(path).isDirectory()) {
      throw new Error(
        `${resource.stack}/${resource.logicalId} ${prop}S3Location is a folder asset (${path}), not a file`,
      );
    }
    return readFileSync(path, 'utf8');
  }

  setAttribute(stack: string, logicalId: string, attribute: string, value: string): void {
    const state = this.stackState(stack);
    if (!state.resources.has(logicalId)) throw new Error(`stack ${stack} has no resource ${logicalId}`);
    this.overrides.set(overrideKey(state.info.name, logicalId, attribute), value);
    this.generation++;
  }

  setEndpoints(endpoints: LocalEndpoints): void {
    this.currentEndpoints = { ...endpoints };
    this.generation++;
  }

  // ---- resolution -------------------------------------------------------------------------------

  private stackState(name: string): StackState {
    const state = this.byName.get(name);
    if (!state)
      throw new Error(
        `no stack ${name} in ${this.directory}; stacks: ${this.stacks.map((s) => s.name).join(', ')}`,
      );
    return state;
  }

  private included(res: ResourceState): boolean {
    return !res.def.Condition || this.condition(res.stack, res.def.Condition);
  }

  /** A live view: each field resolves when read, so patched attributes show up in old views too. */
  private view(res: ResourceState): LoadedResource {
    const rule = ruleFor(res.def.Type);
    const arn = () =>
      this.overrides.get(overrideKey(res.stack.info.name, res.logicalId, 'Arn')) ??
      rule.arn?.(this.facts(res));
    return Object.defineProperties({} as LoadedResource, {
      stack: { enumerable: true, value: res.stack.info.name },
      logicalId: { enumerable: true, value: res.logicalId },
      type: { enumerable: true, value: res.def.Type },
      rawProperties: { enumerable: true, value: res.def.Properties ?? {} },
      metadata: { enumerable: true, value: res.def.Metadata },
      cdkPath: { enumerable: true, value: res.cdkPath },
      properties: { enumerable: true, get: () => this.properties(res) },
      physicalName: { enumerable: true, get: () => this.physicalName(res) },
      ref: { enumerable: true, get: () => this.refOf(res) },
      arn: { enumerable: true, get: arn },
      attributes: { enumerable: true, get: () => this.attributes(res) },
    });
  }

  private cached<T>(key: string, compute: () => T): T {
    const hit = this.cache.get(key);
    if (hit && hit.generation === this.generation) return hit.value as T;
    if (this.active.has(key)) throw new Error(`circular reference while resolving ${key}`);
    this.active.add(key);
    try {
      const value = compute();
      this.cache.set(key, { generation: this.generation, value });
      return value;
    } finally {
      this.active.delete(key);
    }
  }

  private properties(res: ResourceState): Record<string, unknown> {
    return this.cached(`props:${res.stack.info.name}/${res.logicalId}`, () => {
      const value = evaluate(res.def.Properties ?? {}, this.scope(res.stack, res.logicalId));
      return value as Record<string, unknown>;
    });
  }

  private property(res: ResourceState, name: string): unknown {
    const raw = res.def.Properties?.[name];
    if (raw === undefined) return undefined;
    return this.cached(`prop:${res.stack.info.name}/${res.logicalId}/${name}`, () => {
      const value = evaluate(raw, this.scope(res.stack, `${res.logicalId}.${name}`));
      return value === NO_VALUE ? undefined : value;
    });
  }

  private physicalName(res: ResourceState): string {
    return this.cached(`name:${res.stack.info.name}/${res.logicalId}`, () => {
      const prefix = TABLE_TYPES.has(res.def.Type) ? (this.options.tableNamePrefix ?? '') : '';
      const rule = ruleFor(res.def.Type);
      const explicit = rule.nameProperty ? this.property(res, rule.nameProperty) : undefined;
      if (typeof explicit === 'string' && explicit !== '') return prefix + explicit;
      // The name is not known yet, so the suffix rule may read other properties but not the name.
      const facts = this.facts(res, '');
      return (
        prefix +
        generatedName(res.stack.info.name, res.logicalId, {
          maxLength: (rule.maxNameLength ?? 255) - prefix.length,
          lowercase: rule.lowercase,
          suffix: rule.nameSuffix?.(facts),
        })
      );
    });
  }

  private facts(res: ResourceState, knownName?: string): ResourceFacts {
    const name = () => knownName ?? this.physicalName(res);
    return {
      stack: res.stack.info.name,
      logicalId: res.logicalId,
      get physicalName() {
        return name();
      },
      endpoints: this.currentEndpoints,
      prop: (name) => this.property(res, name),
      has: (name) => res.def.Properties?.[name] !== undefined,
    };
  }

  private refOf(res: ResourceState): string {
    const override = this.overrides.get(overrideKey(res.stack.info.name, res.logicalId, 'Ref'));
    return override ?? ruleFor(res.def.Type).ref(this.facts(res));
  }

  private attribute(res: ResourceState, attribute: string): string | undefined {
    const override = this.overrides.get(overrideKey(res.stack.info.name, res.logicalId, attribute));
    if (override !== undefined) return override;
    return ruleFor(res.def.Type).attributes[attribute]?.(this.facts(res));
  }

  private attributes(res: ResourceState): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of Object.keys(ruleFor(res.def.Type).attributes)) {
      const value = this.attribute(res, name);
      if (value !== undefined) out[name] = value;
    }
    const prefix = overrideKey(res.stack.info.name, res.logicalId, '');
    for (const [key, value] of this.overrides) {
      const name = key.slice(prefix.length);
      if (key.startsWith(prefix) && name !== 'Ref') out[name] = value;
    }
    return out;
  }

  private condition(stack: StackState, name: string): boolean {
    const known = stack.conditions.get(name);
    if (known !== undefined) return known;
    const expr = stack.info.template.Conditions?.[name];
    if (expr === undefined) {
      throw new IntrinsicError(
        { stack: stack.info.name, where: `Conditions.${name}` },
        `unknown condition ${name}`,
      );
    }
    const value = evaluateCondition(expr, this.scope(stack, `Conditions.${name}`));
    stack.conditions.set(name, value);
    return value;
  }

  private scope(stack: StackState, where: string): IntrinsicScope {
    const fail = (message: string) => new IntrinsicError({ stack: stack.info.name, where }, message);
    return {
      stack: stack.info.name,
      where,
      ref: (name) => {
        const pseudo = this.pseudo(stack, name);
        if (pseudo !== undefined) return pseudo;
        const param = stack.info.template.Parameters?.[name];
        if (param) {
          const value = this.options.parameters?.[stack.info.name]?.[name] ?? param.Default;
          if (value === undefined)
            throw fail(`parameter ${name} has no Default and no value in options.parameters`);
          return value;
        }
        const res = stack.resources.get(name);
        if (!res) throw fail(`Ref to ${name}, which is neither a parameter nor a resource of the stack`);
        if (!this.included(res)) throw fail(`Ref to ${name}, whose condition ${res.def.Condition} is false`);
        return this.refOf(res);
      },
      getAtt: (logicalId, attribute) => {
        const res = stack.resources.get(logicalId);
        if (!res) throw fail(`Fn::GetAtt ${logicalId}.${attribute}: no resource ${logicalId} in the stack`);
        const value = this.attribute(res, attribute);
        if (value === undefined) {
          throw fail(
            `Fn::GetAtt ${logicalId}.${attribute}: ${res.def.Type} has no attribute ${attribute} known locally`,
          );
        }
        return value;
      },
      importValue: (name) => {
        const exported = this.exports().get(name);
        if (!exported) throw fail(`Fn::ImportValue ${name}: no stack in the assembly exports it`);
        return evaluate(exported.value, this.scope(exported.stack, `export ${name}`));
      },
      condition: (name) => this.condition(stack, name),
      findInMap: (map, top, second) => {
        const value = stack.info.template.Mappings?.[map]?.[top]?.[second];
        if (value === undefined) throw fail(`Fn::FindInMap ${map}.${top}.${second} is not in Mappings`);
        return value;
      },
    };
  }

  private pseudo(stack: StackState, name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return LOCAL_REGION;
      case 'AWS::AccountId':
        return LOCAL_ACCOUNT;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stack.info.name;
      case 'AWS::StackId': {
        const id = stableId(`stack:${stack.info.name}`, 32, '0123456789abcdef');
        const uuid = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
        return `arn:aws:cloudformation:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stack/${stack.info.name}/${uuid}`;
      }
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
        return undefined;
    }
  }

  /** Export names may themselves be intrinsics (`${AWS::StackName}-Url`), so they are resolved once. */
  private exports(): Map<string, { stack: StackState; value: unknown }> {
    if (this.exportsByName) return this.exportsByName;
    const map = new Map<string, { stack: StackState; value: unknown }>();
    for (const stack of this.ordered) {
      for (const [name, output] of Object.entries(stack.info.template.Outputs ?? {})) {
        if (!output.Export) continue;
        const exportName = evaluate(output.Export.Name, this.scope(stack, `Outputs.${name}.Export`));
        map.set(String(exportName), { stack, value: output.Value });
      }
    }
    this.exportsByName = map;
    return map;
  }
}

function overrideKey(stack: string, logicalId: string, attribute: string): string {
  return `${stack}\u0000${logicalId}\u0000${attribute}`;
}
