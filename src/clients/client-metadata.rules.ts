import type { ProblemFieldError } from '../common/problem/problem.error.js';
import { TOKEN_EXCHANGE_GRANT_TYPE, type ClientMetadata } from './client-metadata.js';
import { httpsUrlProblem, originProblem, redirectUriProblem } from './redirect-uri.rules.js';
import { familyOf } from './response-types.js';
import { publicJwksProblem } from '../trust/jwks.rules.js';

export interface RegistrationCapabilities {
  readonly grantTypes: ReadonlySet<string>;
  readonly authMethods: ReadonlySet<string>;
  /** The JWS algorithms of each authentication method that signs (private_key_jwt, client_secret_jwt). */
  readonly authSigningAlgorithms?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Grants that can leave a refresh token behind; a refresh_token grant needs one of them. */
const NON_ISSUING_GRANTS = new Set(['implicit', 'client_credentials', 'refresh_token']);

/**
 * The cross-field rules of client registration. Returns one entry per
 * problem, each naming its field; an empty list means the metadata is sound.
 */
export function checkClientMetadata(
  metadata: ClientMetadata,
  capabilities: RegistrationCapabilities,
): ProblemFieldError[] {
  const errors: ProblemFieldError[] = [];
  const fail = (field: string, detail: string) => errors.push({ pointer: `/${field}`, detail });
  const grants = new Set(metadata.grant_types);
  const isPublic = metadata.token_endpoint_auth_method === 'none';

  for (const grant of grants) {
    if (!capabilities.grantTypes.has(grant)) fail('grant_types', `"${grant}" is not supported`);
  }
  if (!capabilities.authMethods.has(metadata.token_endpoint_auth_method)) {
    fail(
      'token_endpoint_auth_method',
      `"${metadata.token_endpoint_auth_method}" is not supported; use one of ${[...capabilities.authMethods].join(', ')}`,
    );
  }

  checkFrontChannel(metadata, grants, fail);

  if (isPublic && grants.has('client_credentials')) {
    fail(
      'grant_types',
      'client_credentials needs a confidential client; a public client has no credentials',
    );
  }
  if (isPublic && grants.has('password')) {
    fail('grant_types', 'password is not allowed for a public client');
  }
  if (isPublic && !metadata.require_pkce) {
    fail('require_pkce', 'is always true for public clients');
  }
  if (grants.has('refresh_token') && [...grants].every((grant) => NON_ISSUING_GRANTS.has(grant))) {
    fail(
      'grant_types',
      'refresh_token needs a grant that issues refresh tokens (authorization_code, password, ...); implicit and client_credentials never do',
    );
  }

  if (metadata.jwks !== undefined && metadata.jwks_uri !== undefined) {
    fail('jwks', 'jwks and jwks_uri are mutually exclusive');
  }
  const jwksProblem = metadata.jwks === undefined ? undefined : publicJwksProblem(metadata.jwks);
  if (jwksProblem !== undefined) fail('jwks', jwksProblem);
  checkAuthSigning(metadata, capabilities, fail);
  for (const field of ['jwks_uri', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri'] as const) {
    const value = metadata[field];
    const problem = value === undefined ? undefined : httpsUrlProblem(value);
    if (problem) fail(field, problem);
  }
  for (const origin of metadata.allowed_cors_origins) {
    const problem = originProblem(origin);
    if (problem) fail('allowed_cors_origins', problem);
  }
  if (metadata.token_exchange !== undefined && !grants.has(TOKEN_EXCHANGE_GRANT_TYPE)) {
    fail('token_exchange', `is only used with the ${TOKEN_EXCHANGE_GRANT_TYPE} grant`);
  }
  return errors;
}

/** private_key_jwt needs keys; token_endpoint_auth_signing_alg must be one its method accepts. */
function checkAuthSigning(
  metadata: ClientMetadata,
  capabilities: RegistrationCapabilities,
  fail: (field: string, detail: string) => void,
): void {
  const method = metadata.token_endpoint_auth_method;
  // An unsupported method is reported on its own.
  if (!capabilities.authMethods.has(method)) return;
  if (
    method === 'private_key_jwt' &&
    metadata.jwks === undefined &&
    metadata.jwks_uri === undefined
  ) {
    fail('jwks', "private_key_jwt needs the client's public keys: give jwks or jwks_uri");
  }
  const alg = metadata.token_endpoint_auth_signing_alg;
  if (alg === undefined) return;
  const algorithms = capabilities.authSigningAlgorithms?.get(method);
  if (algorithms === undefined) {
    fail('token_endpoint_auth_signing_alg', `is not used by ${method}, which signs nothing`);
  } else if (!algorithms.has(alg)) {
    fail(
      'token_endpoint_auth_signing_alg',
      `"${alg}" is not supported for ${method}; use one of ${[...algorithms].join(', ')}`,
    );
  }
}

function checkFrontChannel(
  metadata: ClientMetadata,
  grants: ReadonlySet<string>,
  fail: (field: string, detail: string) => void,
): void {
  const families = new Set<string>();
  for (const responseType of metadata.response_types) {
    const family = familyOf(responseType);
    if (family === undefined) fail('response_types', `"${responseType}" is not a response type`);
    else families.add(family);
  }
  if (families.size > 1) {
    fail(
      'response_types',
      `mixes the ${[...families].join(' and ')} families: a client uses one front-channel flow, so that a code flow cannot be downgraded to one that puts tokens in the browser`,
    );
  }
  const code = grants.has('authorization_code');
  const implicit = grants.has('implicit');
  const family = families.size === 1 ? [...families][0] : undefined;
  if (family === 'code' && implicit) {
    fail('grant_types', 'implicit is not used by the code response type; remove it');
  }
  if (family === 'implicit' && code) {
    fail('grant_types', 'authorization_code is not used by implicit response types; remove it');
  }
  if ((family === 'code' || family === 'hybrid') && !code) {
    fail('grant_types', `response types of the ${family} family need authorization_code`);
  }
  if ((family === 'implicit' || family === 'hybrid') && !implicit) {
    fail('grant_types', `response types of the ${family} family need implicit`);
  }
  if (family === undefined && (code || implicit) && metadata.response_types.length === 0) {
    fail('response_types', 'a client with authorization_code or implicit needs response types');
  }
  if (family !== undefined && !code && !implicit) {
    fail('response_types', 'response types need the authorization_code or implicit grant');
  }

  if ((code || implicit) && metadata.redirect_uris.length === 0) {
    fail('redirect_uris', 'at least one is required for authorization_code and implicit');
  }
  const client = { applicationType: metadata.application_type, usesImplicit: implicit };
  for (const uri of metadata.redirect_uris) {
    const problem = redirectUriProblem(uri, client);
    if (problem) fail('redirect_uris', problem);
  }
  for (const uri of metadata.post_logout_redirect_uris) {
    const problem = redirectUriProblem(uri, { ...client, usesImplicit: false });
    if (problem) fail('post_logout_redirect_uris', problem);
  }
}
