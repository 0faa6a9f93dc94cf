import { decodeJwt } from 'jose';
import { ClientsService } from '../../../src/clients/clients.service.js';
import { InvalidGrantError } from '../../../src/common/oauth/oauth-error.js';
import { epochSeconds } from '../../../src/common/time.js';
import { AuthorizationCodeService } from '../../../src/tokens/authorization-code.service.js';
import { PersistedGrantStore } from '../../../src/tokens/persisted-grant.store.js';
import { RefreshTokenService } from '../../../src/tokens/refresh-token.service.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  authorizeThrough,
  authorizeUrl,
  pkcePair,
  randomValue,
  redirectOf,
  REDIRECT_URI,
  UserAgent,
} from '../authorize/user-agent.js';
import {
  decide,
  DEVICE_CODE_GRANT,
  deviceAuthorization,
  poll,
} from '../device-flow/device-flow-support.js';
import { grantRowOf, handleHash } from '../grants/persisted-grant-rows.js';
import { assertionClaims, partyKey, type PartyKey, signAssertion } from '../trust/assertions.js';

const PASSWORD = 'correct horse battery staple';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PARTNER = 'https://partner.example';
const ROUNDS = 50;
const CONCURRENCY = 20;

/**
 * Races (RFC 9700 §4.5, RFC 6749 §4.1.2, §10.5, RFC 7523 §3): one credential
 * presented by twenty concurrent requests, fifty times over, on whichever
 * database the project runs. Exactly one wins each time.
 */
describe('single-use credentials redeemed by 20 concurrent requests, 50 times', () => {
  let service: TestApp;
  let client: RegisteredClient;
  let user: { id: string; username: string };
  let browser: UserAgent;
  let partnerKey: PartyKey;

  beforeAll(async () => {
    service = await startTestApp();
    user = await service.createUser({ username: 'racer', password: PASSWORD });
    client = await service.createClient({
      grant_types: [
        'authorization_code',
        'refresh_token',
        'password',
        DEVICE_CODE_GRANT,
        JWT_BEARER,
      ],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid offline_access read',
      require_consent: false,
    });
    partnerKey = await partyKey('partner-race');
    const issuer = await service.admin('POST', '/admin/trusted-issuers', {
      issuer: PARTNER,
      jwks: { keys: [partnerKey.publicJwk] },
    });
    expect(issuer.status).toBe(201);
    browser = new UserAgent(service.issuer);
  });
  afterAll(() => service?.close());

  const basic = () => ({ basic: [client.client_id, client.client_secret!] as [string, string] });
  const race = (request: () => Promise<{ status: number; body: any }>) =>
    Promise.all(Array.from({ length: CONCURRENCY }, request));
  const successes = <R extends { status: number }>(results: R[]) =>
    results.filter((result) => result.status === 200);
  const expectOneWinner = (results: { status: number; body: any }[]) => {
    expect(successes(results)).toHaveLength(1);
    for (const result of results.filter((r) => r.status !== 200)) {
      expect(result.status).toBe(400);
      expect(Object.keys(result.body).sort()).toEqual(['error', 'error_description']);
    }
  };

  /** The winner's tokens: its refresh token's row is gone and its access token introspects inactive. */
  async function expectRevoked(won: { access_token: string; refresh_token?: string }) {
    expect(won.refresh_token).toEqual(expect.any(String));
    expect(await grantRowOf(service.db, won.refresh_token!)).toBeUndefined();
    const introspected = await service.postForm(
      '/introspect',
      { token: won.access_token },
      basic(),
    );
    expect(introspected.body).toEqual({ active: false });
  }

  const redeemCode = (code: string, verifier: string) =>
    service.postForm(
      '/token',
      {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT_URI,
      },
      basic(),
    );

  async function mintCode(): Promise<{ code: string; verifier: string }> {
    const { verifier, challenge } = pkcePair();
    const response = await authorizeThrough(
      browser,
      authorizeUrl(service, {
        client_id: client.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid offline_access',
        state: randomValue(),
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { username: user.username, password: PASSWORD },
    );
    return { code: redirectOf(response).query.code!, verifier };
  }

  it('when one authorization code is redeemed by 20 concurrent requests then exactly one gets tokens, and they are revoked with the code, every time', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { code, verifier } = await mintCode();

      const results = await race(() => redeemCode(code, verifier));

      expectOneWinner(results);
      for (const loser of results.filter((r) => r.status !== 200)) {
        expect(loser.body.error).toBe('invalid_grant');
      }
      // The losers saw a replay: the code's family is revoked, its row with it,
      // and so is what the winner got (RFC 6749 §4.1.2), however the race fell.
      expect(await grantRowOf(service.db, code)).toBeUndefined();
      await expectRevoked(successes(results)[0]!.body);
    }
  });

  it("when a redeemed code's 60 s are long over and the sweeper has run then revoking its refresh token still revokes the JWT the code bought", async () => {
    const { code, verifier } = await mintCode();
    const redeemed = await redeemCode(code, verifier);
    expect(redeemed.status).toBe(200);
    // The sweeper, two minutes on: the code's row records that JWT and is kept while it is valid.
    await service.app.get(PersistedGrantStore).sweepExpired(10_000, Date.now() + 120_000);
    expect(await grantRowOf(service.db, code)).toBeDefined();

    const revoked = await service.postForm(
      '/revoke',
      { token: redeemed.body.refresh_token },
      basic(),
    );

    expect(revoked.status).toBe(200);
    const introspected = await service.postForm(
      '/introspect',
      { token: redeemed.body.access_token },
      basic(),
    );
    expect(introspected.body).toEqual({ active: false });
  });

  it("when a second redemption of a code wins while the first is storing its tokens then the first fails and both redemptions' refresh tokens are revoked", async () => {
    const codes = service.app.get(AuthorizationCodeService);
    const refreshTokens = service.app.get(RefreshTokenService);
    const registered = (await service.app.get(ClientsService).find(client.client_id))!;
    const grant = { subject: user.id, scope: 'read', authTime: epochSeconds(Date.now()) };
    const code = await codes.issue(registered, {
      ...grant,
      redirectUri: REDIRECT_URI,
      redirectUriGiven: false,
    });
    const storeRefreshToken = async ({ familyId }: { familyId: string }) =>
      (await refreshTokens.issue(registered, grant, familyId)).token;

    let second: string | undefined;
    let first: string | undefined;
    const firstRedemption = codes.redeem(
      code,
      registered,
      undefined,
      undefined,
      async (redeemed) => {
        first = await storeRefreshToken(redeemed);
        // The second redemption runs whole, and consumes the code, before the first consumes it.
        second = await codes.redeem(code, registered, undefined, undefined, storeRefreshToken);
        return first;
      },
    );

    await expect(firstRedemption).rejects.toThrow(InvalidGrantError);
    expect(second).toEqual(expect.any(String));
    expect(await grantRowOf(service.db, second!)).toBeUndefined();
    expect(await grantRowOf(service.db, first!)).toBeUndefined();
    expect(await grantRowOf(service.db, code)).toBeUndefined();
    const refreshed = await service.postForm(
      '/token',
      { grant_type: 'refresh_token', refresh_token: second! },
      basic(),
    );
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  it('when a second rotation of a refresh token wins while the first is issuing its access token then the first fails, the family goes, and the access token the second issued is denied', async () => {
    const refreshTokens = service.app.get(RefreshTokenService);
    const registered = (await service.app.get(ClientsService).find(client.client_id))!;
    const grant = { subject: user.id, scope: 'read', authTime: epochSeconds(Date.now()) };
    const { token } = await refreshTokens.issue(registered, grant);

    let second: { issued: string; refreshToken: string } | undefined;
    const firstRotation = refreshTokens.redeem(token, registered, undefined, async () => {
      // The second rotation runs whole, and consumes the token, before the first consumes it.
      second = await refreshTokens.redeem(token, registered, undefined, async (redeemed) =>
        Promise.resolve(redeemed.accessTokenJti),
      );
      return 'first';
    });

    await expect(firstRotation).rejects.toThrow(InvalidGrantError);
    expect(await grantRowOf(service.db, second!.refreshToken)).toBeUndefined();
    expect(await grantRowOf(service.db, token)).toBeUndefined();
    const denied = await service.db.query(
      `SELECT id FROM persisted_grant WHERE type = 'revoked_jwt' AND handle_hash = $1`,
      [handleHash(second!.issued)],
    );
    expect(denied).toHaveLength(1);
  });

  it('when one refresh token is rotated by 20 concurrent requests then exactly one gets tokens, they are revoked with the family, and the family never has two live refresh tokens', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const issued = await service.postForm(
        '/token',
        { grant_type: 'password', username: user.username, password: PASSWORD, scope: 'read' },
        basic(),
      );
      expect(issued.status).toBe(200);
      const refreshToken = issued.body.refresh_token as string;
      const familyId = (await grantRowOf(service.db, refreshToken))!.family_id;

      const results = await race(() =>
        service.postForm(
          '/token',
          { grant_type: 'refresh_token', refresh_token: refreshToken },
          basic(),
        ),
      );

      expectOneWinner(results);
      // The losers saw a reuse: the family goes, with what the winner got.
      await expectRevoked(successes(results)[0]!.body);
      const live = await service.db.query<{ n: unknown }>(
        `SELECT COUNT(*) AS n FROM persisted_grant
          WHERE family_id = $1 AND type = 'refresh_token' AND consumed_at IS NULL AND expires_at > $2`,
        [familyId, Date.now()],
      );
      expect(Number(live[0]!.n)).toBeLessThanOrEqual(1);
    }
  });

  it('when one approved device code is polled by 20 concurrent requests then exactly one gets tokens, every time', async () => {
    const agent = new UserAgent(service.issuer);
    for (let round = 0; round < ROUNDS; round++) {
      const started = await deviceAuthorization(service, client, { scope: 'openid' });
      expect(started.status).toBe(200);
      await decide(agent, started.body.user_code, user, 'allow');

      const results = await race(() => poll(service, client, started.body.device_code));

      expectOneWinner(results);
      expect(decodeJwt(successes(results)[0]!.body.access_token).sub).toBe(user.id);
    }
  });

  it('when one JWT assertion is presented by 20 concurrent requests then exactly one gets a token and its jti is stored once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const claims = assertionClaims(PARTNER, 'racer', `${service.issuer}/token`);
      const assertion = await signAssertion(partnerKey, claims);

      const results = await race(() =>
        service.postForm('/token', { grant_type: JWT_BEARER, assertion }, basic()),
      );

      expectOneWinner(results);
      for (const loser of results.filter((r) => r.status !== 200)) {
        expect(loser.body.error).toBe('invalid_grant');
      }
      const stored = await service.db.query(
        "SELECT id FROM persisted_grant WHERE type = 'assertion_jti' AND handle_hash = $1",
        [handleHash(`${PARTNER}:${claims.jti}`)],
      );
      expect(stored.length).toBeLessThanOrEqual(1);
    }
  });
});
