/** The local Cognito user pools: the AWS JSON service, its JWKS endpoint and the plain config it reads. */
export { LocalCognito, createLocalCognito, type LocalUserPool } from './service.js';
export { createJwksHandler } from './jwks-handler.js';
export {
  DEFAULT_ISSUER_BASE_URL,
  issuerFor,
  jwksUriFor,
  STANDARD_ATTRIBUTES,
  type InvokeTrigger,
  type LocalCognitoOptions,
  type SeedUser,
  type UserPoolClientConfig,
  type UserPoolConfig,
  type UserPoolGroupConfig,
  type UserPoolTriggerConfig,
} from './config.js';
export { userPoolsOf } from './from-assembly.js';
export { hashPassword, verifyPassword, type PasswordHash } from './passwords.js';
export type { Jwks } from './tokens.js';
