import { withoutWrites } from '../../support/expectations.js';
import { handleHash } from '../grants/persisted-grant-rows.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  type AgentResponse,
  authorizeThrough,
  authorizeUrl,
  expectErrorPage,
  formAction,
  grantRows,
  hiddenInputs,
  isConsentPage,
  isLoginPage,
  pkcePair,
  redirectOf,
  REDIRECT_URI,
  submitConsent,
  submitLogin,
  UserAgent,
} from './user-agent.js';

const PASSWORD = 'correct horse battery staple';
const SCOPE = 'openid profile email offline_access';

describe('authorization endpoint: request errors (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6)', () => {
  let service: TestApp;
  let user: { id: string; username: string };
  /** Confidential web client of the code flow. */
  let web: RegisteredClient;
  /** Public client of the code flow (PKCE required). */
  let spa: RegisteredClient;
  /** Implicit client: id_token, id_token token. */
  let implicit: RegisteredClient;
  /** Hybrid client: code id_token, code token, code id_token token. */
  let hybrid: RegisteredClient;
  /** Web client with two redirect URIs. */
  let twoUris: RegisteredClient;
  const { challenge } = pkcePair();

  beforeAll(async () => {
    service = await startTestApp();
    user = await service.createUser({ username: 'erin', password: PASSWORD });
    web = await service.createClient({
      client_name: 'Relying Party',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT_URI],
      scope: SCOPE,
    });
    spa = await service.createClient({
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'none',
      scope: SCOPE,
    });
    implicit = await service.createClient({
      grant_types: ['implicit'],
      response_types: ['id_token', 'id_token token'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid profile email',
    });
    hybrid = await service.createClient({
      grant_types: ['authorization_code', 'implicit'],
      response_types: ['code id_token', 'code token', 'code id_token token'],
      redirect_uris: [REDIRECT_URI],
      scope: SCOPE,
    });
    twoUris = await service.createClient({
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT_URI, 'https://rp.example.test/other'],
      scope: SCOPE,
    });
  });
  afterAll(() => service.close());

  /** A valid code request of the web client; `params` add to or (with undefined) remove from it. */
  const codeRequest = (
    params: Record<string, string | undefined> = {},
    client: RegisteredClient = web,
  ): Record<string, string> => {
    const all: Record<string, string | undefined> = {
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid profile',
      state: 'af0ifjsldkj',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...params,
    };
    return Object.fromEntries(
      Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  };

  const freshAgent = () => new UserAgent(service.issuer);

  /** A redirected error: 303 to the redirect URI, the parameters in exactly one component. */
  function expectRedirectedError(
    response: AgentResponse,
    mode: 'query' | 'fragment',
    expected: { error: string; error_description: string; state?: string },
  ): void {
    const redirect = redirectOf(response);
    const params = { ...expected, iss: service.issuer };
    expect(redirect).toEqual({
      uri: REDIRECT_URI,
      query: mode === 'query' ? params : {},
      fragment: mode === 'fragment' ? params : {},
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
  }

  /** Signs the user in (and consents to `openid`) with a new agent; returns the agent with its session. */
  async function signedInAgent(): Promise<UserAgent> {
    const agent = freshAgent();
    const response = await authorizeThrough(
      agent,
      authorizeUrl(service, codeRequest({ scope: 'openid' })),
      { username: 'erin', password: PASSWORD },
    );
    expect(redirectOf(response).query.code).toEqual(expect.any(String));
    return agent;
  }

  describe('when the client or redirect URI cannot be trusted then an error page is shown and nothing is redirected', () => {
    it('when client_id is missing then the page says it is required', async () => {
      const response = await freshAgent().get(
        authorizeUrl(service, codeRequest({ client_id: undefined })),
      );
      expectErrorPage(response, 400, 'client_id is required');
    });

    it('when the client is unknown then the page says so', async () => {
      const response = await freshAgent().get(
        authorizeUrl(service, codeRequest({ client_id: 'no-such-client' })),
      );
      expectErrorPage(response, 400, 'the client is unknown');
    });

    it('when an OpenID request leaves out redirect_uri then the page says it is required', async () => {
      const response = await freshAgent().get(
        authorizeUrl(service, codeRequest({ redirect_uri: undefined })),
      );
      expectErrorPage(response, 400, 'redirect_uri is required');
    });

    it('when a plain OAuth request of a client with two redirect URIs leaves out redirect_uri then the page says it is required', async () => {
      const response = await freshAgent().get(
        authorizeUrl(service, codeRequest({ redirect_uri: undefined, scope: 'profile' }, twoUris)),
      );
      expectErrorPage(response, 400, 'redirect_uri is required');
    });

    it('when a plain OAuth request of a client with one redirect URI leaves out redirect_uri then the login page is shown', async () => {
      const response = await freshAgent().get(
        authorizeUrl(service, codeRequest({ redirect_uri: undefined, scope: 'profile' })),
      );
      expect(response.status).toBe(200);
      expect(isLoginPage(response)).toBe(true);
    });

    it.each([
      ['a trailing slash', 'https://rp.example.test/cb/'],
      ['another port', 'https://rp.example.test:8443/cb'],
      ['an extra query', 'https://rp.example.test/cb?next=1'],
      ['another case in the path', 'https://rp.example.test/CB'],
      ['another scheme', 'http://rp.example.test/cb'],
      ['another host', 'https://evil.example.test/cb'],
    ])(
      'when redirect_uri differs from the registered one by %s then the page refuses it',
      async (_, redirectUri) => {
        const response = await withoutWrites(
          service.db,
          () => freshAgent().get(authorizeUrl(service, codeRequest({ redirect_uri: redirectUri }))),
          ['persisted_grant'],
        );
        expectErrorPage(
          response,
          400,
          'redirect_uri does not match any URI registered for the client',
        );
      },
    );

    it('when a parameter is repeated then the page refuses the request', async () => {
      const url = authorizeUrl(service, codeRequest());
      url.searchParams.append('state', 'second');
      const response = await freshAgent().get(url);
      expectErrorPage(response, 400, 'parameter state is repeated');
    });

    it('when the client is unknown and the redirect URI is bad then still nothing goes to the redirect URI', async () => {
      const response = await freshAgent().get(
        authorizeUrl(service, {
          ...codeRequest({
            client_id: 'no-such-client',
            redirect_uri: 'https://evil.example.test/',
          }),
          scope: 'bogus',
        }),
      );
      expectErrorPage(response, 400, 'the client is unknown');
    });
  });

  describe('when the client and redirect URI are valid then errors go back to the redirect URI with state and iss', () => {
    const cases: Array<{
      name: string;
      client: () => RegisteredClient;
      params: Record<string, string | undefined>;
      mode: 'query' | 'fragment';
      error: string;
      description: string;
    }> = [
      {
        name: 'response_type is missing',
        client: () => web,
        params: { response_type: undefined },
        mode: 'query',
        error: 'invalid_request',
        description: 'response_type is required',
      },
      {
        name: 'response_type is unknown',
        client: () => web,
        params: { response_type: 'magic' },
        mode: 'query',
        error: 'unsupported_response_type',
        description: `response_type 'magic' is not supported`,
      },
      {
        name: 'response_type is not registered for the client',
        client: () => web,
        params: { response_type: 'code id_token', nonce: 'n-0S6_WzA2Mj' },
        mode: 'fragment',
        error: 'unauthorized_client',
        description: `the client is not registered for response_type 'code id_token'`,
      },
      {
        name: 'response_mode=query is asked for a response type that returns tokens',
        client: () => implicit,
        params: {
          response_type: 'id_token token',
          response_mode: 'query',
          nonce: 'n-0S6_WzA2Mj',
          code_challenge: undefined,
          code_challenge_method: undefined,
        },
        mode: 'fragment',
        error: 'invalid_request',
        description: 'response_mode=query is not allowed for response types that return tokens',
      },
      {
        name: 'response_mode is unknown',
        client: () => web,
        params: { response_mode: 'web_message' },
        mode: 'query',
        error: 'invalid_request',
        description: `response_mode 'web_message' is not supported`,
      },
      {
        name: 'a scope is not allowed for the client',
        client: () => web,
        params: { scope: 'openid admin profile' },
        mode: 'query',
        error: 'invalid_scope',
        description: 'scope not allowed: admin',
      },
      {
        name: 'an id_token response type is asked without the openid scope',
        client: () => implicit,
        params: {
          response_type: 'id_token',
          scope: 'profile',
          nonce: 'n-0S6_WzA2Mj',
          code_challenge: undefined,
          code_challenge_method: undefined,
        },
        mode: 'fragment',
        error: 'invalid_request',
        description: 'response types with id_token need the openid scope',
      },
      {
        name: 'an implicit request has no nonce',
        client: () => implicit,
        params: {
          response_type: 'id_token token',
          code_challenge: undefined,
          code_challenge_method: undefined,
        },
        mode: 'fragment',
        error: 'invalid_request',
        description: 'nonce is required for implicit and hybrid flows',
      },
      {
        name: 'a hybrid request has no nonce',
        client: () => hybrid,
        params: { response_type: 'code id_token' },
        mode: 'fragment',
        error: 'invalid_request',
        description: 'nonce is required for implicit and hybrid flows',
      },
      {
        name: 'a public client sends no code_challenge',
        client: () => spa,
        params: { code_challenge: undefined, code_challenge_method: undefined },
        mode: 'query',
        error: 'invalid_request',
        description: 'code_challenge is required (PKCE, S256)',
      },
      {
        name: 'a confidential client with require_pkce (the default) sends no code_challenge',
        client: () => web,
        params: { code_challenge: undefined, code_challenge_method: undefined },
        mode: 'query',
        error: 'invalid_request',
        description: 'code_challenge is required (PKCE, S256)',
      },
      {
        name: 'code_challenge_method is plain',
        client: () => spa,
        params: { code_challenge_method: 'plain' },
        mode: 'query',
        error: 'invalid_request',
        description: 'code_challenge_method must be S256',
      },
      {
        name: 'code_challenge_method is absent (which means plain)',
        client: () => spa,
        params: { code_challenge_method: undefined },
        mode: 'query',
        error: 'invalid_request',
        description: 'code_challenge_method must be S256',
      },
      {
        name: 'code_challenge is too short',
        client: () => spa,
        params: { code_challenge: challenge.slice(0, 42) },
        mode: 'query',
        error: 'invalid_request',
        description: 'code_challenge must be 43 base64url characters',
      },
      {
        name: 'code_challenge has characters outside base64url',
        client: () => spa,
        params: { code_challenge: `${challenge.slice(0, 42)}+` },
        mode: 'query',
        error: 'invalid_request',
        description: 'code_challenge must be 43 base64url characters',
      },
      {
        name: 'prompt=none is asked without a session',
        client: () => web,
        params: { prompt: 'none' },
        mode: 'query',
        error: 'login_required',
        description: 'the user is not signed in',
      },
      {
        name: 'prompt=none is combined with login',
        client: () => web,
        params: { prompt: 'none login' },
        mode: 'query',
        error: 'invalid_request',
        description: 'prompt=none cannot be combined with other values',
      },
      {
        name: 'prompt has an unknown value',
        client: () => web,
        params: { prompt: 'sometimes' },
        mode: 'query',
        error: 'invalid_request',
        description: 'prompt has an unknown value',
      },
      {
        name: 'max_age is negative',
        client: () => web,
        params: { max_age: '-1' },
        mode: 'query',
        error: 'invalid_request',
        description: 'max_age must be a non-negative integer',
      },
      {
        name: 'the request parameter is used',
        client: () => web,
        params: { request: 'eyJhbGciOiJub25lIn0.eyJzdGF0ZSI6IngifQ.' },
        mode: 'query',
        error: 'request_not_supported',
        description: 'the request parameter is not supported',
      },
      {
        name: 'the request_uri parameter is used',
        client: () => web,
        params: { request_uri: 'urn:ietf:params:oauth:request_uri:abc' },
        mode: 'query',
        error: 'request_uri_not_supported',
        description: 'the request_uri parameter is not supported',
      },
      {
        name: 'the hybrid request is refused with response_mode=query',
        client: () => hybrid,
        params: { response_type: 'code token', response_mode: 'query', nonce: 'n-0S6_WzA2Mj' },
        mode: 'fragment',
        error: 'invalid_request',
        description: 'response_mode=query is not allowed for response types that return tokens',
      },
    ];

    it.each(cases)(
      'when $name then $error goes back in the $mode',
      async ({ client, params, mode, error, description }) => {
        const response = await withoutWrites(
          service.db,
          () => freshAgent().get(authorizeUrl(service, codeRequest(params, client()))),
          ['persisted_grant'],
        );
        expectRedirectedError(response, mode, {
          error,
          error_description: description,
          state: 'af0ifjsldkj',
        });
      },
    );

    it('when state is absent then the error carries no state', async () => {
      const response = await freshAgent().get(
        authorizeUrl(service, codeRequest({ state: undefined, scope: 'openid bogus' })),
      );
      expectRedirectedError(response, 'query', {
        error: 'invalid_scope',
        error_description: 'scope not allowed: bogus',
      });
    });

    it('when state has characters to encode then it comes back exactly as sent', async () => {
      const state = 'a b&c=d/é?#';
      const response = await freshAgent().get(
        authorizeUrl(service, codeRequest({ state, prompt: 'none' })),
      );
      expectRedirectedError(response, 'query', {
        error: 'login_required',
        error_description: 'the user is not signed in',
        state,
      });
    });

    it('when response_mode=form_post then the error is an auto-posting form to the redirect URI', async () => {
      const response = await freshAgent().get(
        authorizeUrl(service, codeRequest({ response_mode: 'form_post', scope: 'openid bogus' })),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-security-policy')).toContain(
        "form-action 'self' https://rp.example.test;",
      );
      expect(formAction(response.text)).toBe(REDIRECT_URI);
      expect(hiddenInputs(response.text)).toEqual({
        error: 'invalid_scope',
        error_description: 'scope not allowed: bogus',
        state: 'af0ifjsldkj',
        iss: service.issuer,
      });
    });

    it('when an implicit request fails with response_mode=form_post then the error is posted, not put in the fragment', async () => {
      const response = await freshAgent().get(
        authorizeUrl(
          service,
          codeRequest(
            {
              response_type: 'id_token',
              response_mode: 'form_post',
              code_challenge: undefined,
              code_challenge_method: undefined,
            },
            implicit,
          ),
        ),
      );
      expect(response.status).toBe(200);
      expect(formAction(response.text)).toBe(REDIRECT_URI);
      expect(hiddenInputs(response.text)).toEqual({
        error: 'invalid_request',
        error_description: 'nonce is required for implicit and hybrid flows',
        state: 'af0ifjsldkj',
        iss: service.issuer,
      });
    });

    it('when prompt=none comes with a session but no consent to the scopes then consent_required goes back', async () => {
      const agent = await signedInAgent();
      const response = await withoutWrites(
        service.db,
        () =>
          agent.get(authorizeUrl(service, codeRequest({ prompt: 'none', scope: 'openid email' }))),
        ['persisted_grant'],
      );
      expectRedirectedError(response, 'query', {
        error: 'consent_required',
        error_description: 'the user has not consented',
        state: 'af0ifjsldkj',
      });
    });

    it('when prompt=none comes with a session and consent then the code comes back without a page', async () => {
      const agent = await signedInAgent();
      const response = await agent.get(
        authorizeUrl(service, codeRequest({ prompt: 'none', scope: 'openid' })),
      );
      const { query } = redirectOf(response);
      expect(query).toEqual({
        code: expect.any(String),
        state: 'af0ifjsldkj',
        iss: service.issuer,
      });
    });

    it('when the user denies consent then access_denied goes back and no consent or code is stored', async () => {
      const agent = freshAgent();
      const login = await agent.get(
        authorizeUrl(service, codeRequest({ scope: 'openid profile email' })),
      );
      expect(isLoginPage(login)).toBe(true);
      const consent = await submitLogin(agent, login, { username: 'erin', password: PASSWORD });
      expect(isConsentPage(consent)).toBe(true);
      const consentsBefore = await grantRows(service.db, 'consent', user.id);
      const codesBefore = await grantRows(service.db, 'authorization_code', user.id);

      const response = await submitConsent(agent, consent, 'deny');

      expectRedirectedError(response, 'query', {
        error: 'access_denied',
        error_description: 'the user denied the request',
        state: 'af0ifjsldkj',
      });
      expect(await grantRows(service.db, 'consent', user.id)).toEqual(consentsBefore);
      expect(await grantRows(service.db, 'authorization_code', user.id)).toEqual(codesBefore);
      const { interaction } = hiddenInputs(consent.text);
      expect(
        await service.db.query('SELECT id FROM persisted_grant WHERE handle_hash = $1', [
          handleHash(interaction!),
        ]),
      ).toEqual([]);
      // The denied interaction is finished: submitting it again shows the expired page.
      expectErrorPage(
        await submitConsent(agent, consent, 'allow'),
        400,
        'The sign-in page has expired. Return to the application and start again.',
      );
    });
  });
});
