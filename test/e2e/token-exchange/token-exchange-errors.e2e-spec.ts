import { expectOAuthError, withoutWrites } from '../../support/expectations.js';
import {
  startTestApp,
  type HttpResult,
  type RegisteredClient,
  type TestApp,
} from '../../support/test-app.js';
import {
  ACCESS_TOKEN_TYPE,
  JWT_TOKEN_TYPE,
  PASSWORD,
  TOKEN_EXCHANGE,
  clientToken,
  exchange,
  exchanger,
  policy,
  userToken,
} from './token-exchange-fixtures.js';

const NOT_USABLE = 'the subject_token is invalid, expired or revoked';

describe('token exchange refusals (RFC 8693 §2.2.2)', () => {
  let service: TestApp;
  let webApp: RegisteredClient;
  let referenceWebApp: RegisteredClient;
  let gateway: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    await service.createUser({ username: 'alice', password: PASSWORD });
    webApp = await service.createClient({ grant_types: ['password'], scope: 'read write' });
    referenceWebApp = await service.createClient({
      grant_types: ['password'],
      scope: 'read write',
      access_token_format: 'reference',
    });
    gateway = await exchanger(service);
  });
  afterAll(() => service.close());

  const aliceToken = (scope = 'read') => userToken(service, webApp, 'alice', scope);

  /** The request is refused with the exact error, and nothing is written. */
  async function refused(
    send: () => Promise<HttpResult>,
    error: string,
    description: string,
  ): Promise<void> {
    const result = await withoutWrites(service.db, send);
    expectOAuthError(result, 400, error, description);
  }

  describe('parameters (invalid_request)', () => {
    it('when subject_token is missing then invalid_request names it', async () => {
      await refused(
        () => exchange(service, gateway, { subject_token_type: ACCESS_TOKEN_TYPE }),
        'invalid_request',
        'subject_token is required',
      );
    });

    it('when subject_token_type is missing then invalid_request names it', async () => {
      const subjectToken = await aliceToken();
      await refused(
        () => exchange(service, gateway, { subject_token: subjectToken }),
        'invalid_request',
        'subject_token_type is required',
      );
    });

    it('when actor_token comes without actor_token_type then invalid_request', async () => {
      const [subjectToken, actorToken] = [await aliceToken(), await clientToken(service, gateway)];
      await refused(
        () =>
          exchange(service, gateway, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            actor_token: actorToken,
          }),
        'invalid_request',
        'actor_token_type is required with actor_token',
      );
    });

    it('when actor_token_type comes without actor_token then invalid_request', async () => {
      const subjectToken = await aliceToken();
      await refused(
        () =>
          exchange(service, gateway, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            actor_token_type: ACCESS_TOKEN_TYPE,
          }),
        'invalid_request',
        'actor_token_type must not be sent without actor_token',
      );
    });

    it('when a token type other than an access token is requested then invalid_request', async () => {
      const subjectToken = await aliceToken();
      await refused(
        () =>
          exchange(service, gateway, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token',
          }),
        'invalid_request',
        'unsupported requested_token_type',
      );
    });

    it.each([['urn:ietf:params:oauth:token-type:id_token'], ['urn:example:unknown']])(
      'when subject_token_type is %s then invalid_request',
      async (type) => {
        const subjectToken = await aliceToken();
        await refused(
          () =>
            exchange(service, gateway, { subject_token: subjectToken, subject_token_type: type }),
          'invalid_request',
          'unsupported subject_token_type',
        );
      },
    );

    it('when audience is repeated then the form parser refuses it (one audience and one resource per request)', async () => {
      const subjectToken = await aliceToken();
      const body = new URLSearchParams([
        ['grant_type', TOKEN_EXCHANGE],
        ['subject_token', subjectToken],
        ['subject_token_type', ACCESS_TOKEN_TYPE],
        ['audience', 'orders-api'],
        ['audience', 'https://api.example.com'],
      ]);
      const result = await service.request('POST', '/token', {
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${gateway.client_id}:${gateway.client_secret}`).toString('base64')}`,
        },
        body: body.toString(),
      });
      expectOAuthError(result, 400, 'invalid_request', 'parameter audience is repeated');
    });
  });

  describe('the subject and actor tokens (invalid_grant)', () => {
    it('when the subject token is not a token of this service then invalid_grant', async () => {
      await refused(
        () =>
          exchange(service, gateway, {
            subject_token: 'not-a-token',
            subject_token_type: ACCESS_TOKEN_TYPE,
          }),
        'invalid_grant',
        NOT_USABLE,
      );
    });

    it('when the subject JWT was revoked then invalid_grant', async () => {
      const subjectToken = await aliceToken();
      const revoked = await service.postForm(
        '/revoke',
        { token: subjectToken },
        { basic: [webApp.client_id, webApp.client_secret!] },
      );
      expect(revoked.status).toBe(200);
      await refused(
        () =>
          exchange(service, gateway, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
          }),
        'invalid_grant',
        NOT_USABLE,
      );
    });

    it('when the subject reference token was revoked then invalid_grant', async () => {
      const subjectToken = await userToken(service, referenceWebApp, 'alice', 'read');
      const before = await exchange(service, gateway, {
        subject_token: subjectToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
      });
      expect(before.status).toBe(200);
      await service.postForm(
        '/revoke',
        { token: subjectToken },
        { basic: [referenceWebApp.client_id, referenceWebApp.client_secret!] },
      );
      await refused(
        () =>
          exchange(service, gateway, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
          }),
        'invalid_grant',
        NOT_USABLE,
      );
    });

    it.each([['jwt'], ['reference']])(
      'when the subject %s token has expired then invalid_grant',
      async (format) => {
        const issuer = format === 'jwt' ? webApp : referenceWebApp;
        const subjectToken = await userToken(service, issuer, 'alice', 'read');
        vi.useFakeTimers({ toFake: ['Date'] });
        try {
          vi.setSystemTime(Date.now() + 3601 * 1000);
          await refused(
            () =>
              exchange(service, gateway, {
                subject_token: subjectToken,
                subject_token_type: ACCESS_TOKEN_TYPE,
              }),
            'invalid_grant',
            NOT_USABLE,
          );
        } finally {
          vi.useRealTimers();
        }
      },
    );

    it('when the subject token was issued to a client that has been deleted then invalid_grant', async () => {
      const gone = await service.createClient({ grant_types: ['password'], scope: 'read' });
      const subjectToken = await userToken(service, gone, 'alice', 'read');
      expect((await service.admin('DELETE', `/admin/clients/${gone.client_id}`)).status).toBe(204);
      await refused(
        () =>
          exchange(service, gateway, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
          }),
        'invalid_grant',
        NOT_USABLE,
      );
    });

    it('when the subject token is for another audience then invalid_grant', async () => {
      const forApi = await exchange(service, gateway, {
        subject_token: await aliceToken(),
        subject_token_type: ACCESS_TOKEN_TYPE,
        audience: 'https://api.example.com',
      });
      expect(forApi.status).toBe(200);
      await refused(
        () =>
          exchange(service, gateway, {
            subject_token: forApi.body.access_token,
            subject_token_type: ACCESS_TOKEN_TYPE,
          }),
        'invalid_grant',
        'the subject_token is not for this party',
      );
    });

    it('when the actor token was revoked then invalid_grant names the actor_token', async () => {
      const [subjectToken, actorToken] = [await aliceToken(), await clientToken(service, gateway)];
      await service.postForm(
        '/revoke',
        { token: actorToken },
        { basic: [gateway.client_id, gateway.client_secret!] },
      );
      await refused(
        () =>
          exchange(service, gateway, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            actor_token: actorToken,
            actor_token_type: ACCESS_TOKEN_TYPE,
          }),
        'invalid_grant',
        'the actor_token is invalid, expired or revoked',
      );
    });
  });

  describe('the client policy (unauthorized_client, invalid_target)', () => {
    it('when the client has the grant but no token_exchange policy then unauthorized_client', async () => {
      const noPolicy = await service.createClient({ grant_types: [TOKEN_EXCHANGE] });
      const subjectToken = await aliceToken();
      await refused(
        () =>
          exchange(service, noPolicy, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
          }),
        'unauthorized_client',
        'no token exchange policy',
      );
    });

    it('when the policy does not allow the subject_token_type then unauthorized_client', async () => {
      const jwtOnly = await exchanger(service, {
        token_exchange: policy({ allowed_subject_token_types: [JWT_TOKEN_TYPE] }),
      });
      const subjectToken = await aliceToken();
      await refused(
        () =>
          exchange(service, jwtOnly, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
          }),
        'unauthorized_client',
        'subject_token_type not allowed for this client',
      );
    });

    it('when the policy does not allow impersonation then an exchange without actor is unauthorized_client', async () => {
      const delegateOnly = await exchanger(service, {
        token_exchange: policy({ allow_impersonation: false }),
      });
      const subjectToken = await aliceToken();
      await refused(
        () =>
          exchange(service, delegateOnly, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
          }),
        'unauthorized_client',
        'impersonation is not allowed for this client',
      );
    });

    it('when the policy does not allow delegation then an exchange with an actor is unauthorized_client', async () => {
      const impersonateOnly = await exchanger(service, {
        token_exchange: policy({ allow_delegation: false }),
      });
      const [subjectToken, actorToken] = [
        await aliceToken(),
        await clientToken(service, impersonateOnly),
      ];
      await refused(
        () =>
          exchange(service, impersonateOnly, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            actor_token: actorToken,
            actor_token_type: ACCESS_TOKEN_TYPE,
          }),
        'unauthorized_client',
        'delegation is not allowed for this client',
      );
    });

    it.each([
      ['audience', 'https://elsewhere.example.com', 'the audience is not allowed for this client'],
      ['resource', 'https://elsewhere.example.com/', 'the resource is not allowed for this client'],
      ['resource', '/relative', 'the resource must be an absolute URI without a fragment'],
      [
        'resource',
        'https://api.example.com#f',
        'the resource must be an absolute URI without a fragment',
      ],
    ])('when %s is %s then invalid_target', async (name, value, description) => {
      const subjectToken = await aliceToken();
      await refused(
        () =>
          exchange(service, gateway, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            [name]: value,
          }),
        'invalid_target',
        description,
      );
    });
  });

  describe('scope (invalid_scope)', () => {
    it('when the requested scope is wider than the subject token then invalid_scope', async () => {
      const subjectToken = await aliceToken('read');
      await refused(
        () =>
          exchange(service, gateway, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            scope: 'read write',
          }),
        'invalid_scope',
        'scope not allowed: write',
      );
    });

    it('when the requested scope is beyond the client scopes then invalid_scope', async () => {
      const readOnly = await exchanger(service, { scope: 'read' });
      const subjectToken = await aliceToken('read write');
      await refused(
        () =>
          exchange(service, readOnly, {
            subject_token: subjectToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            scope: 'write',
          }),
        'invalid_scope',
        'scope not allowed: write',
      );
    });
  });
});
