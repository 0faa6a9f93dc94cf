import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { basicAuthorization, startTestApp, type TestApp } from '../../support/test-app.js';
import { DEVICE_CODE_GRANT, poll } from '../device-flow/device-flow-support.js';
import { REDIRECT_URI } from '../authorize/user-agent.js';
import {
  anyJson,
  type AttackRequest,
  type BodyEncoding,
  bodyEncoding,
  carriesSecret,
  encodeForm,
  expectOAuthErrorShape,
  nastyString,
  rawHeaderLines,
  RequestCounter,
  rowCounts,
  runOptions,
  send,
} from './attack-support.js';
import {
  type AttackWorld,
  buildAttackWorld,
  CLIENT_ASSERTION_TYPE,
  JWT_BEARER,
  PASSWORD,
  TOKEN_EXCHANGE,
} from './attack-world.js';

/** How the attacker (never holding the victim's credentials) authenticates, or tries to. */
const AUTHS = [
  'none',
  'attacker-basic',
  'attacker-post',
  'victim-wrong-secret',
  'attacker-id-victim-secret',
  'unknown-client',
  'malformed-basic',
  'public-client',
  'victim-id-only',
  'two-methods',
  'forged-client-assertion',
  'used-client-assertion',
  'bearer-instead-of-basic',
] as const;
type Auth = (typeof AUTHS)[number];

interface TokenAttack {
  readonly auth: Auth;
  readonly forgedIndex: number;
  readonly pairs: [string, string][];
  readonly encoding: BodyEncoding;
  readonly json: unknown;
  readonly raw: string[] | undefined;
}

const PARAMETER_NAMES = [
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'code',
  'code_verifier',
  'redirect_uri',
  'refresh_token',
  'scope',
  'username',
  'password',
  'assertion',
  'device_code',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'audience',
  'resource',
];

describe('token endpoint under attack: generated requests for every grant (RFC 6749 §5.2, RFC 9700)', () => {
  let service: TestApp;
  let world: AttackWorld;
  let baseline: Record<string, number>;
  const counter = new RequestCounter('token-endpoint');

  beforeAll(async () => {
    service = await startTestApp();
    world = await buildAttackWorld(service);
    baseline = await rowCounts(service.db);
  });
  afterAll(async () => {
    counter.report();
    await world?.close();
    await service?.close();
  });

  /** A value the attacker may paste: something the victim holds, or worse. */
  const loot = () =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...world.loot) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...world.forgedAccessTokens, ...world.forgedAssertions),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...world.loot), fc.nat({ max: 40 }))
          .map(([value, cut]) => value.slice(0, Math.max(1, value.length - cut))),
      },
      { weight: 2, arbitrary: nastyString },
    );

  const attack = (grantPairs: () => fc.Arbitrary<[string, string][]>) =>
    fc.record<TokenAttack>({
      auth: fc.constantFrom(...AUTHS),
      forgedIndex: fc.nat(),
      pairs: fc
        .tuple(
          grantPairs(),
          fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMETER_NAMES), nastyString), loot()), {
            maxLength: 3,
          }),
        )
        .map(([grant, extra]) => [...grant, ...extra]),
      encoding: bodyEncoding,
      json: anyJson,
      raw: rawHeaderLines,
    });

  const grantTypeValue = (grant: string) =>
    fc.oneof({ weight: 9, arbitrary: fc.constant(grant) }, { weight: 1, arbitrary: nastyString });
  const optional = (name: string, value: fc.Arbitrary<string>) =>
    fc.option(
      value.map((v): [string, string] => [name, v]),
      { nil: undefined, freq: 4 },
    );
  const pairsOf = (...entries: fc.Arbitrary<[string, string] | undefined>[]) =>
    fc.tuple(...entries).map((all) => all.filter((pair) => pair !== undefined));
  const scope = () =>
    fc.oneof(
      fc.constantFrom('read', 'openid offline_access', 'admin', 'read write admin'),
      nastyString,
    );

  function authOf(attack: TokenAttack): { header?: string; pairs: [string, string][] } {
    const { attacker, victim, publicClient, signer } = world;
    const forged =
      world.forgedClientAssertions[attack.forgedIndex % world.forgedClientAssertions.length]!;
    switch (attack.auth) {
      case 'none':
        return { pairs: [] };
      case 'attacker-basic':
        return {
          header: basicAuthorization(attacker.client_id, attacker.client_secret!),
          pairs: [],
        };
      case 'attacker-post':
        return {
          pairs: [
            ['client_id', attacker.client_id],
            ['client_secret', attacker.client_secret!],
          ],
        };
      case 'victim-wrong-secret':
        return {
          header: basicAuthorization(victim.client_id, `${victim.client_secret!}x`),
          pairs: [],
        };
      case 'attacker-id-victim-secret':
        return {
          pairs: [
            ['client_id', attacker.client_id],
            ['client_secret', victim.client_secret!],
          ],
        };
      case 'unknown-client':
        return { header: basicAuthorization('no-such-client', victim.client_secret!), pairs: [] };
      case 'malformed-basic':
        return { header: 'Basic !!!not-base64:', pairs: [] };
      case 'public-client':
        return { pairs: [['client_id', publicClient.client_id]] };
      case 'victim-id-only':
        return { pairs: [['client_id', victim.client_id]] };
      case 'two-methods':
        return {
          header: basicAuthorization(attacker.client_id, attacker.client_secret!),
          pairs: [['client_secret', attacker.client_secret!]],
        };
      case 'forged-client-assertion':
        return {
          pairs: [
            ['client_assertion_type', CLIENT_ASSERTION_TYPE],
            ['client_assertion', forged],
            ['client_id', signer.client_id],
          ],
        };
      case 'used-client-assertion':
        return {
          pairs: [
            ['client_assertion_type', CLIENT_ASSERTION_TYPE],
            ['client_assertion', world.usedClientAssertion],
          ],
        };
      case 'bearer-instead-of-basic':
        return { header: `Bearer ${world.victimClientAccessToken}`, pairs: [] };
    }
  }

  function requestOf(attack: TokenAttack): AttackRequest {
    const auth = authOf(attack);
    const { headers, body } = encodeForm(
      [...attack.pairs, ...auth.pairs],
      attack.encoding,
      attack.json,
    );
    return {
      method: 'POST',
      path: '/token',
      headers: { ...headers, ...(auth.header ? { authorization: auth.header } : {}) },
      body,
      rawHeaderLines: attack.raw,
    };
  }

  /** The invariants: no 5xx; an error is RFC 6749 §5.2 exactly and writes nothing; a token only to the attacker for its own grants. */
  async function check(attack: TokenAttack): Promise<void> {
    const request = requestOf(attack);
    const response = await send(service.issuer, request, counter);
    expect(response.status).toBeLessThan(500);
    if (response.status === 200) {
      const body = response.json as Record<string, unknown>;
      expect(response.headers.get('cache-control')).toBe('no-store');
      const claims = decodeJwt(body.access_token as string);
      // Only the attacker's own credentials can get a token, and only for itself.
      expect(claims.client_id).toBe(world.attacker.client_id);
      expect(carriesSecret(request, world.attacker.client_id, world.attacker.client_secret!)).toBe(
        true,
      );
      const grantType = attack.pairs.find(([name]) => name === 'grant_type')?.[1];
      expect(['client_credentials', 'password']).toContain(grantType);
      if (grantType === 'password') expect(claims.sub).toBe(world.user.id);
      else expect(claims.sub).toBe(world.attacker.client_id);
      baseline = await rowCounts(service.db);
      return;
    }
    expectOAuthErrorShape(response);
    expect(await rowCounts(service.db)).toEqual(baseline);
  }

  const property = (grantPairs: () => fc.Arbitrary<[string, string][]>) =>
    fc.asyncProperty(attack(grantPairs), check);

  it('when client_credentials requests are mangled then every answer is a §5.2 error or a token of the attacker itself, and refusals write nothing', async () => {
    await fc.assert(
      property(() =>
        pairsOf(
          optional('grant_type', grantTypeValue('client_credentials')),
          optional('scope', scope()),
        ),
      ),
      runOptions(1300),
    );
  });

  it('when password requests guess, repeat and mangle credentials then only the right password gives a token, to the attacker, and refusals write nothing', async () => {
    await fc.assert(
      property(() =>
        pairsOf(
          optional('grant_type', grantTypeValue('password')),
          optional(
            'username',
            fc.oneof(fc.constantFrom('alice', 'Alice', 'alice ', 'bob'), nastyString),
          ),
          optional(
            'password',
            fc.oneof(fc.constantFrom(PASSWORD, `${PASSWORD} `, 'wrong'), nastyString),
          ),
          optional('scope', scope()),
        ),
      ),
      runOptions(400),
    );
  });

  it("when refresh_token requests present the victim's, truncated or forged refresh tokens then all are refused and nothing is written", async () => {
    await fc.assert(
      property(() =>
        pairsOf(
          optional('grant_type', grantTypeValue('refresh_token')),
          optional('refresh_token', loot()),
          optional('scope', scope()),
        ),
      ),
      runOptions(1300),
    );
  });

  it("when authorization_code requests present the victim's code, verifier and redirect URI then all are refused and nothing is written", async () => {
    await fc.assert(
      property(() =>
        pairsOf(
          optional('grant_type', grantTypeValue('authorization_code')),
          optional('code', loot()),
          optional('code_verifier', fc.oneof(fc.constant(world.victimCodeVerifier), nastyString)),
          optional(
            'redirect_uri',
            fc.oneof(
              fc.constantFrom(REDIRECT_URI, `${REDIRECT_URI}/`, 'https://evil.example/cb'),
              nastyString,
            ),
          ),
        ),
      ),
      runOptions(1300),
    );
  });

  it('when jwt-bearer requests carry forged, truncated, re-signed or replayed assertions then all are refused and nothing is written', async () => {
    await fc.assert(
      property(() =>
        pairsOf(
          optional('grant_type', grantTypeValue(JWT_BEARER)),
          optional(
            'assertion',
            fc.oneof(
              {
                weight: 4,
                arbitrary: fc.constantFrom(...world.forgedAssertions, world.usedAssertion),
              },
              { weight: 1, arbitrary: loot() },
            ),
          ),
          optional('scope', scope()),
        ),
      ),
      runOptions(1300),
    );
  });

  it("when token-exchange requests present the victim's or forged tokens then all are refused (the attacker has no exchange policy) and nothing is written", async () => {
    const tokenTypes = fc.oneof(
      fc.constantFrom(
        'urn:ietf:params:oauth:token-type:access_token',
        'urn:ietf:params:oauth:token-type:refresh_token',
        'urn:ietf:params:oauth:token-type:jwt',
        'urn:ietf:params:oauth:token-type:id_token',
      ),
      nastyString,
    );
    await fc.assert(
      property(() =>
        pairsOf(
          optional('grant_type', grantTypeValue(TOKEN_EXCHANGE)),
          optional('subject_token', loot()),
          optional('subject_token_type', tokenTypes),
          optional('actor_token', loot()),
          optional('actor_token_type', tokenTypes),
          optional('requested_token_type', tokenTypes),
          optional(
            'audience',
            fc.oneof(fc.constantFrom('orders-api', 'https://api.example.com'), nastyString),
          ),
          optional('resource', fc.oneof(fc.constantFrom('https://api.example.com/'), nastyString)),
        ),
      ),
      runOptions(1000),
    );
  });

  it("when device_code requests present the victim's approved device code or mangled ones then all are refused and nothing is written", async () => {
    await fc.assert(
      property(() =>
        pairsOf(
          optional('grant_type', grantTypeValue(DEVICE_CODE_GRANT)),
          optional('device_code', loot()),
        ),
      ),
      runOptions(1000),
    );
  });

  it('when arbitrary parameters, content types and header lines arrive then the answer is still a §5.2 error or a token of the attacker itself', async () => {
    await fc.assert(
      property(() =>
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMETER_NAMES), nastyString), loot()), {
          maxLength: 8,
        }),
      ),
      runOptions(800),
    );
  });

  it("when the attacks are over then the victim's code, device code and refresh token still work for the victim alone", async () => {
    const victimAuth = {
      basic: [world.victim.client_id, world.victim.client_secret!] as [string, string],
    };
    const code = await service.postForm(
      '/token',
      {
        grant_type: 'authorization_code',
        code: world.victimCode,
        code_verifier: world.victimCodeVerifier,
        redirect_uri: REDIRECT_URI,
      },
      victimAuth,
    );
    const device = await poll(service, world.victim, world.victimDeviceCode);
    const refresh = await service.postForm(
      '/token',
      { grant_type: 'refresh_token', refresh_token: world.victimRefreshToken },
      victimAuth,
    );

    expect([code.status, device.status, refresh.status]).toEqual([200, 200, 200]);
    for (const result of [code, device, refresh]) {
      expect(decodeJwt(result.body.access_token as string).client_id).toBe(world.victim.client_id);
    }
  });
});
