/** The EventBridge event pattern matcher shared by rules and by EventBridge Pipes filters. */
export { matchesPattern, validatePattern } from './match.js';
export { InvalidEventPatternError } from './types.js';
export type { AnythingBut, EventPattern, JsonScalar, PatternMatcher, PatternOperator } from './types.js';
