/** Request authentication and field authorization for the local AppSync, per AppSync's documented rules. */
export {
  authFailureBody,
  authorizeRequest,
  createAuthorizer,
  type ApiAuthConfig,
  type ApiOidcConfig,
  type ApiUserPoolConfig,
  type AuthFailure,
  type AuthRequest,
  type Authorized,
  type AuthorizeResult,
  type AuthorizerDeps,
  type LambdaAuthorizerResponse,
  type UserPoolKeySource,
} from './authorize.js';
export { localApiKeyValue, verifyApiKey, type ApiKeyCheck, type ApiKeyConfig } from './api-key.js';
export {
  createCognitoVerifier,
  localJwksCache,
  type CognitoClaims,
  type CognitoTokenVerifier,
  type CognitoVerifierOptions,
  type JwksLike,
} from './cognito-verifier.js';
export {
  APPSYNC_DIRECTIVES_SDL,
  allowedModes,
  authorizeField,
  type AuthorizeFieldInput,
  type FieldAuthError,
  type FieldAuthResult,
  type FieldAuthRule,
  type FieldCaller,
} from './directives.js';
export type {
  AppSyncIdentity,
  AuthMode,
  CognitoIdentity,
  IamIdentity,
  LambdaIdentity,
  OidcIdentity,
} from './identity.js';
export {
  isSigV4Authorization,
  verifySigV4,
  type IamCredential,
  type SigV4Options,
  type SigV4Result,
  type SignedHttpRequest,
} from './sigv4.js';
