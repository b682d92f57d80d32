/**
 * Names for resources the template leaves unnamed. CloudFormation would generate
 * `stack-LogicalId-RANDOM`; locally the name must be stable across runs (a persistent DynamoDB Local data
 * dir keeps its tables), so it is `${stack}-${logicalId}`, shortened with a hash when AWS's limit is hit.
 */
import { stableId } from './resource-types.js';

/** Options for one generated name. */
export interface GeneratedNameOptions {
  /** @default 255 */
  readonly maxLength?: number;
  readonly lowercase?: boolean;
  /** Kept at the end even when the name is shortened. @default '' */
  readonly suffix?: string;
}

/** The deterministic physical name of an unnamed resource. */
export function generatedName(stack: string, logicalId: string, options: GeneratedNameOptions = {}): string {
  const { maxLength = 255, lowercase = false, suffix = '' } = options;
  let base = `${stack}-${logicalId}`;
  if (lowercase) base = base.toLowerCase();
  if (base.length + suffix.length <= maxLength) return base + suffix;
  // Keep the readable front and make the cut unique with a hash of the full name.
  const hash = stableId(
    `${stack}/${logicalId}`,
    8,
    lowercase ? 'abcdefghijklmnopqrstuvwxyz0123456789' : undefined,
  );
  const room = maxLength - suffix.length - hash.length - 1;
  return `${base.slice(0, room).replace(/-+$/, '')}-${hash}${suffix}`;
}
