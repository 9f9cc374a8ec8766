export {
  AccessFile,
  compileAccessFile,
  EMPTY_ACCESS_POLICY,
  loadAccessFile,
  staticAccessPolicy,
  watchAccessFile,
  type AccessClient,
  type AccessKey,
  type AccessPolicy,
  type AccessPolicySource,
  type WatchedAccessFile,
} from './access-file.ts';
export { createApiKey, revokeApiKey, type CreateKeyOptions } from './access-file-edit.ts';
export { API_KEY_PREFIX, apiKeyId, generateApiKey, hashApiKey } from './api-keys.ts';
export { API_KEY_HEADER, createAuthenticator, type Authenticate } from './authenticate.ts';
export { AUTH_REALM, bearerChallenge } from './challenges.ts';
export {
  createClientCredentials,
  TOKEN_ENDPOINT,
  type ClientCredentials,
  type ClientCredentialsOptions,
} from './client-credentials.ts';
export {
  DEV_GATEWAY_SECRET_PATH,
  FrontDoorAuthEnv,
  frontDoorAuthFromEnv,
  GatewayIdentityEnv,
  gatewayIdentitySecret,
  gatewayIdentitySignerFromEnv,
  gatewayIdentityVerifierFromEnv,
  MANIFOLD_API_AUDIENCE,
  type FrontDoorAuth,
  type TlsSettings,
} from './env.ts';
export {
  createGatewayIdentitySigner,
  createGatewayIdentityVerifier,
  type GatewayIdentitySigner,
  type GatewayIdentityVerifier,
} from './gateway-identity.ts';
export {
  ALLOWED_JWT_ALGORITHMS,
  createJwtVerifier,
  type JwtVerifier,
  type JwtVerifierOptions,
  type VerifiedToken,
} from './jwt-verifier.ts';
export { certificateClient, clientForCertificate } from './mtls.ts';
export { addOpenApiSecurity, type OpenApiSecurityOptions } from './openapi-security.ts';
export {
  admit,
  authenticationEdge,
  resourceScopes,
  type RequiredScopes,
  type ScopesFor,
} from './rest-edge.ts';
export { Secret, secretFromEnv, secretFromFile, secretsFromEnv } from './secrets.ts';
