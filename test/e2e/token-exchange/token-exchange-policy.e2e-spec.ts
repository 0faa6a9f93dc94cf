import { expectProblem } from '../../support/expectations.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE, policy } from './token-exchange-fixtures.js';

describe('the token_exchange client field (admin API)', () => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startTestApp();
  });
  afterAll(() => service.close());

  it('when a client is registered with a policy then it is stored and returned as given', async () => {
    const created = await service.admin('POST', '/admin/clients', {
      grant_types: [TOKEN_EXCHANGE],
      token_exchange: policy(),
    });
    expect(created.status).toBe(201);
    expect(created.body.grant_types).toEqual([TOKEN_EXCHANGE]);
    expect(created.body.token_exchange).toEqual(policy());
    const read = await service.admin('GET', `/admin/clients/${created.body.client_id}`);
    expect(read.body.token_exchange).toEqual(policy());

    const patched = await service.admin('PATCH', `/admin/clients/${created.body.client_id}`, {
      token_exchange: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.token_exchange).toBeUndefined();
  });

  it('when a policy is given without the token exchange grant then 400 names the field', async () => {
    const result = await service.admin('POST', '/admin/clients', {
      grant_types: ['client_credentials'],
      token_exchange: policy(),
    });
    expectProblem(result, 400, {
      detail: 'invalid client metadata',
      errors: [
        {
          pointer: '/token_exchange',
          detail: `is only used with the ${TOKEN_EXCHANGE} grant`,
        },
      ],
    });
  });

  it('when the policy is malformed then 400 names each nested field', async () => {
    const result = await service.admin('POST', '/admin/clients', {
      grant_types: [TOKEN_EXCHANGE],
      token_exchange: {
        allowed_subject_token_types: [ACCESS_TOKEN_TYPE, 'urn:ietf:params:oauth:token-type:saml2'],
        allowed_audiences: ['x'.repeat(2001)],
        allow_impersonation: 'yes',
        surprise: true,
      },
    });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/token_exchange/surprise', detail: 'is not a known field' },
        {
          pointer: '/token_exchange/allowed_subject_token_types',
          detail: expect.stringContaining('must be one of the following values'),
        },
        {
          pointer: '/token_exchange/allowed_audiences',
          detail: expect.stringContaining('2000'),
        },
        { pointer: '/token_exchange/allow_impersonation', detail: expect.any(String) },
        { pointer: '/token_exchange/allow_delegation', detail: expect.any(String) },
      ]),
    );
  });

  it('when the OpenAPI document is read then the client schema describes token_exchange', async () => {
    const document = (await service.request('GET', '/admin/openapi.json')).body;
    const schemas = document.components.schemas;
    expect(schemas.ClientMetadataDto.properties.token_exchange).toBeDefined();
    expect(Object.keys(schemas.TokenExchangePolicyDto.properties)).toEqual([
      'allowed_subject_token_types',
      'allowed_audiences',
      'allow_impersonation',
      'allow_delegation',
    ]);
  });
});
