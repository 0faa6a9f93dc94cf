import type { HttpResult, RegisteredClient, TestApp } from '../../support/test-app.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const PASSWORD = 'correct horse battery staple';

/** A token exchange policy (this service's client field token_exchange), all allowed unless overridden. */
export function policy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    allowed_subject_token_types: [ACCESS_TOKEN_TYPE],
    allowed_audiences: ['https://api.example.com', 'orders-api'],
    allow_impersonation: true,
    allow_delegation: true,
    ...overrides,
  };
}

/** A confidential client that may exchange tokens (and get its own with client_credentials). */
export function exchanger(
  service: TestApp,
  metadata: Record<string, unknown> = {},
): Promise<RegisteredClient & Record<string, any>> {
  return service.createClient({
    grant_types: [TOKEN_EXCHANGE, 'client_credentials'],
    scope: 'read write',
    token_exchange: policy(),
    ...metadata,
  });
}

/** An access token for a user, from the password grant of `client`. */
export async function userToken(
  service: TestApp,
  client: RegisteredClient,
  username: string,
  scope: string,
): Promise<string> {
  const result = await service.postForm(
    '/token',
    { grant_type: 'password', username, password: PASSWORD, scope },
    { basic: [client.client_id, client.client_secret!] },
  );
  if (result.status !== 200) throw new Error(`password grant: ${JSON.stringify(result.body)}`);
  return result.body.access_token as string;
}

/** The client's own access token (client_credentials). */
export async function clientToken(
  service: TestApp,
  client: RegisteredClient,
  scope?: string,
): Promise<string> {
  const result = await service.postForm(
    '/token',
    { grant_type: 'client_credentials', ...(scope !== undefined ? { scope } : {}) },
    { basic: [client.client_id, client.client_secret!] },
  );
  if (result.status !== 200) throw new Error(`client_credentials: ${JSON.stringify(result.body)}`);
  return result.body.access_token as string;
}

/** A raw token exchange request. */
export function exchange(
  service: TestApp,
  client: RegisteredClient,
  params: Record<string, string>,
): Promise<HttpResult> {
  return service.postForm(
    '/token',
    { grant_type: TOKEN_EXCHANGE, ...params },
    { basic: [client.client_id, client.client_secret!] },
  );
}
