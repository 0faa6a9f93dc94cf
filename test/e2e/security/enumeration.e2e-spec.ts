import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import {
  basicAuthorization,
  startTestApp,
  type HttpResult,
  type RegisteredClient,
  type TestApp,
} from '../../support/test-app.js';
import {
  type AgentResponse,
  alertText,
  authorizeUrl,
  pkcePair,
  REDIRECT_URI,
  submitLogin,
  UserAgent,
} from '../authorize/user-agent.js';
import { assertionClaims, partyKey, type PartyKey, signAssertion } from '../trust/assertions.js';

const PASSWORD = 'correct horse battery staple';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** What a caller sees of an answer: status, the headers that could differ, the body. */
function visible(result: HttpResult): Record<string, unknown> {
  return {
    status: result.status,
    body: result.body,
    contentType: result.headers.get('content-type'),
    challenge: result.headers.get('www-authenticate'),
  };
}

/**
 * Enumeration (RFC 9700 §4.1 spirit, OWASP ASVS V2.2): no answer tells
 * whether a client or a user exists. An unknown one and a known one with the
 * wrong secret, password or key get the same status, headers and body, by
 * the same code path (a decoy secret, password hash or key set is checked
 * when there is nothing real to check; bench/timing.mjs measures the time).
 */
describe('client and user enumeration', () => {
  let service: TestApp;
  let confidential: RegisteredClient;
  let signing: RegisteredClient;
  let hmac: RegisteredClient;
  let clientKey: PartyKey;
  let attackerKey: PartyKey;

  beforeAll(async () => {
    service = await startTestApp();
    await service.createUser({ username: 'known-user', password: PASSWORD });
    clientKey = await partyKey('client-key-1');
    attackerKey = await partyKey('attacker-key-1');
    confidential = await service.createClient({
      grant_types: ['client_credentials', 'password', 'authorization_code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid read',
    });
    signing = await service.createClient({
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [clientKey.publicJwk] },
    });
    hmac = await service.createClient({
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_jwt',
    });
  });
  afterAll(() => service?.close());

  const token = (params: Record<string, string>, basic?: [string, string]) =>
    service.postForm(
      '/token',
      { grant_type: 'client_credentials', ...params },
      basic ? { basic } : {},
    );

  it.each(['/token', '/introspect', '/revoke', '/device_authorization'])(
    'when %s gets Basic credentials of an unknown client or a wrong secret of a known one then the answers are identical',
    async (path) => {
      const wrongSecret = await service.postForm(
        path,
        { token: 'x', grant_type: 'client_credentials' },
        { basic: [confidential.client_id, 'not-the-secret'] },
      );
      const unknown = await service.postForm(
        path,
        { token: 'x', grant_type: 'client_credentials' },
        { basic: ['no-such-client', 'not-the-secret'] },
      );

      expect(visible(wrongSecret)).toEqual(visible(unknown));
      expect(wrongSecret.body).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
      expect(wrongSecret.status).toBe(401);
    },
  );

  it('when client_secret_post names an unknown client or a known one with a wrong secret then the answers are identical', async () => {
    const wrongSecret = await token({ client_id: confidential.client_id, client_secret: 'nope' });
    const unknown = await token({ client_id: 'no-such-client', client_secret: 'nope' });

    expect(visible(wrongSecret)).toEqual(visible(unknown));
    expect(wrongSecret.body).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
  });

  it('when a client_id alone names an unknown client or a confidential one then the answers are identical', async () => {
    const known = await token({ client_id: confidential.client_id });
    const unknown = await token({ client_id: 'no-such-client' });

    expect(visible(known)).toEqual(visible(unknown));
    expect(known.status).toBe(400);
  });

  // (An assertion naming the kid of the client's own key is told apart — "invalid signature"
  // against "key not registered" — but only by someone who already knows that key's kid.)
  it.each([
    { case: 'with a kid of its own', kid: 'attacker-key-1' },
    { case: 'without a kid', kid: undefined },
  ])(
    'when a private_key_jwt assertion signed by a foreign key ($case) names an unknown client or a known one then the answers are identical',
    async ({ kid }) => {
      const forge = (clientId: string) =>
        new SignJWT(assertionClaims(clientId, clientId, `${service.issuer}/token`))
          .setProtectedHeader({ alg: 'ES256', ...(kid === undefined ? {} : { kid }) })
          .sign(attackerKey.privateKey);
      const assertion = (value: string) => ({
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: value,
      });

      const known = await token(assertion(await forge(signing.client_id)));
      const unknown = await token(assertion(await forge('no-such-client')));
      const otherMethod = await token(assertion(await forge(confidential.client_id)));

      expect(visible(known)).toEqual(visible(unknown));
      expect(visible(otherMethod)).toEqual(visible(unknown));
      expect(known.status).toBe(400);
    },
  );

  it('when a client_secret_jwt assertion with a guessed secret names an unknown client or a known one then the answers are identical', async () => {
    const forge = (clientId: string) =>
      new SignJWT(assertionClaims(clientId, clientId, `${service.issuer}/token`))
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('a guessed secret of thirty-two chars!'));
    const assertion = async (clientId: string) => ({
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: await forge(clientId),
    });

    const known = await token(await assertion(hmac.client_id));
    const unknown = await token(await assertion('no-such-client'));

    expect(visible(known)).toEqual(visible(unknown));
    expect(known.body).toEqual({
      error: 'invalid_client',
      error_description: 'the client assertion has an invalid signature',
    });
  });

  it('when a genuine assertion of a known client is replayed then only then does the answer differ (it proves the key, so nothing is disclosed)', async () => {
    const genuine = await signAssertion(
      clientKey,
      assertionClaims(signing.client_id, signing.client_id, `${service.issuer}/token`),
    );
    const first = await token({
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: genuine,
    });

    expect(first.status).toBe(200);
  });

  it('when the password grant gets an unknown username or a wrong password then the answers are identical', async () => {
    const basic: [string, string] = [confidential.client_id, confidential.client_secret!];
    const password = (username: string, value: string) =>
      service.postForm('/token', { grant_type: 'password', username, password: value }, { basic });

    const wrongPassword = await password('known-user', 'wrong password');
    const unknown = await password('no-such-user', 'wrong password');

    expect(visible(wrongPassword)).toEqual(visible(unknown));
    expect(wrongPassword.body).toEqual({
      error: 'invalid_grant',
      error_description: 'the username or password is wrong',
    });
  });

  describe('the login page', () => {
    async function loginPage(agent: UserAgent): Promise<AgentResponse> {
      return agent.get(
        authorizeUrl(service, {
          client_id: confidential.client_id,
          response_type: 'code',
          redirect_uri: REDIRECT_URI,
          scope: 'openid',
          state: randomUUID(),
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
        }),
      );
    }

    /** The page as the user sees it, with the per-request values (CSRF token, interaction id, CSP nonce, the typed username) blanked. */
    function shown(page: AgentResponse, username: string): Record<string, unknown> {
      return {
        status: page.status,
        alert: alertText(page.text),
        text: page.text
          .replace(/value="[^"]*"/g, 'value=""')
          .replace(/nonce="[^"]*"/g, 'nonce=""')
          .replaceAll(username, '<username>'),
        cookies: page.setCookies.map((line) => line.replace(/=[^;]*/, '=<value>')),
      };
    }

    async function attempt(username: string, password: string): Promise<AgentResponse> {
      const agent = new UserAgent(service.issuer);
      return submitLogin(agent, await loginPage(agent), { username, password });
    }

    it('when an unknown username or a wrong password is submitted then the pages are identical', async () => {
      const wrongPassword = await attempt('known-user', 'wrong password');
      const unknown = await attempt('no-such-user', 'wrong password');

      expect(shown(wrongPassword, 'known-user')).toEqual(shown(unknown, 'no-such-user'));
      expect(alertText(wrongPassword.text)).toBe('The username or password is wrong.');
      expect(wrongPassword.status).toBe(401);
    });

    it('when an unknown and a known account fail six times then both are locked the same way', async () => {
      const lastOf = async (username: string) => {
        let page: AgentResponse | undefined;
        for (let i = 0; i < 6; i++) page = await attempt(username, `wrong ${i}`);
        return page!;
      };

      const known = await lastOf('known-user');
      const unknown = await lastOf('never-registered');

      expect(shown(known, 'known-user')).toEqual(shown(unknown, 'never-registered'));
      expect(known.status).toBe(429);
    });
  });

  it('when the admin API is asked for a client by a token without the admin scope then it answers 403 whether or not the client exists', async () => {
    const issued = await service.postForm(
      '/token',
      { grant_type: 'client_credentials', scope: 'read' },
      {
        headers: {
          authorization: basicAuthorization(confidential.client_id, confidential.client_secret!),
        },
      },
    );
    const bearer = { authorization: `Bearer ${issued.body.access_token as string}` };

    const existing = await service.request('GET', `/admin/clients/${confidential.client_id}`, {
      headers: bearer,
    });
    const missing = await service.request('GET', '/admin/clients/no-such-client', {
      headers: bearer,
    });

    expect(visible(existing)).toEqual(visible(missing));
    expect(existing.status).toBe(403);
  });
});
