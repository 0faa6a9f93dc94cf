import { EXTENSION_MODULES } from '../../../src/extensions/index.js';
import { TokenExchangeModule } from '../../../src/extensions/token-exchange/token-exchange.module.js';
import { expectOAuthError } from '../../support/expectations.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE, policy } from './token-exchange-fixtures.js';

// The service as it would be with TokenExchangeModule taken out of src/extensions/index.ts and no
// other edit: AppModule imports the extensions option's list in place of EXTENSION_MODULES.
const withoutTokenExchange = EXTENSION_MODULES.filter((module) => module !== TokenExchangeModule);

describe('token exchange is an extension module', () => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startTestApp({ extensions: withoutTokenExchange });
  });
  afterAll(() => service.close());

  it('when the module is removed from EXTENSION_MODULES then discovery does not list the grant', async () => {
    // It is shipped in the list, so this service differs from the shipped one by that one module.
    expect(EXTENSION_MODULES).toContain(TokenExchangeModule);
    const result = await service.request('GET', '/.well-known/openid-configuration');
    expect(result.body.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'client_credentials']),
    );
    expect(result.body.grant_types_supported).not.toContain(TOKEN_EXCHANGE);
  });

  it('when the module is removed then a client cannot be registered for the grant', async () => {
    const result = await service.admin('POST', '/admin/clients', {
      grant_types: [TOKEN_EXCHANGE],
      token_exchange: policy(),
    });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([
      { pointer: '/grant_types', detail: `"${TOKEN_EXCHANGE}" is not supported` },
    ]);
  });

  it('when the module is removed then the token endpoint answers unsupported_grant_type', async () => {
    const client = await service.createClient({ grant_types: ['client_credentials'] });
    const result = await service.postForm(
      '/token',
      { grant_type: TOKEN_EXCHANGE, subject_token: 'x', subject_token_type: ACCESS_TOKEN_TYPE },
      { basic: [client.client_id, client.client_secret!] },
    );
    expectOAuthError(
      result,
      400,
      'unsupported_grant_type',
      `grant_type '${TOKEN_EXCHANGE}' is not supported`,
    );
  });
});
