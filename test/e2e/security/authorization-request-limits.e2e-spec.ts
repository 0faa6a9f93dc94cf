import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  authorizeUrl,
  pkcePair,
  redirectOf,
  REDIRECT_URI,
  UserAgent,
} from '../authorize/user-agent.js';

describe('authorization endpoint: what an error redirect echoes', () => {
  let service: TestApp;
  let client: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    client = await service.createClient({
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid',
    });
  });
  afterAll(() => service?.close());

  it('when state is longer than the endpoint accepts then the error goes to the redirect URI without echoing that state', async () => {
    const response = await new UserAgent(service.issuer).get(
      authorizeUrl(service, {
        client_id: client.client_id,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        state: 's'.repeat(5000),
      }),
    );

    const redirect = redirectOf(response);
    expect(redirect).toEqual({
      uri: REDIRECT_URI,
      query: {
        error: 'invalid_request',
        error_description: 'parameter state is too long',
        iss: service.issuer,
      },
      fragment: {},
    });
    expect(response.headers.get('location')!.length).toBeLessThan(500);
  });
});
