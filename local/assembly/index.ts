/** The cloud-assembly loader: cdk.out → resolved resources for the local runtime. */
export { loadAssembly } from './load.js';
export { AssetIndex, type LocalAsset } from './assets.js';
export {
  evaluate,
  evaluateCondition,
  IntrinsicError,
  NO_VALUE,
  LOCAL_AZS,
  type IntrinsicScope,
} from './intrinsics.js';
export { generatedName, type GeneratedNameOptions } from './physical-names.js';
export { ruleFor, isKnownType, stableId, type ResourceFacts, type TypeRule } from './resource-types.js';
export type {
  Assembly,
  CfnResource,
  CfnTemplate,
  LoadAssemblyOptions,
  LoadedResource,
  LoadedStack,
  LocalEndpoints,
} from './types.js';
