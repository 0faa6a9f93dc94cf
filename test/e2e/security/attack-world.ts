import type { TestApp, RegisteredClient } from '../../support/test-app.js';
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
} from '../device-flow/device-flow-support.js';
import {
  assertionClaims,
  type JwksServer,
  partyKey,
  type PartyKey,
  signAssertion,
  startJwksServer,
} from '../trust/assertions.js';
import { forgeries } from './forged-jwts.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const PARTNER = 'https://partner.example';
export const PASSWORD = 'correct horse battery staple';
export const ALL_GRANTS = [
  'authorization_code',
  'client_credentials',
  'password',
  'refresh_token',
  JWT_BEARER,
  DEVICE_CODE_GRANT,
] as const;

/**
 * What an attacker faces and holds: a victim client with live artifacts (a
 * refresh token, an unredeemed code, an approved device code, access tokens,
 * a used assertion), the attacker's own confidential client with every grant,
 * a public client, a private_key_jwt client, a trusted issuer, and JWTs forged
 * in every known way against the issuer's and the service's keys.
 */
export interface AttackWorld {
  readonly user: { id: string; username: string };
  readonly victim: RegisteredClient;
  readonly attacker: RegisteredClient;
  readonly publicClient: RegisteredClient;
  readonly signer: RegisteredClient;
  readonly signerKey: PartyKey;
  readonly partnerKey: PartyKey;
  readonly attackerKey: PartyKey;
  readonly attackerJwks: JwksServer;
  readonly victimRefreshToken: string;
  readonly victimUserAccessToken: string;
  readonly victimClientAccessToken: string;
  readonly victimCode: string;
  readonly victimCodeVerifier: string;
  readonly victimDeviceCode: string;
  readonly usedAssertion: string;
  readonly usedClientAssertion: string;
  /** Forged jwt-bearer assertions (partner's key). */
  readonly forgedAssertions: readonly string[];
  /** Forged client assertions for the signer client. */
  readonly forgedClientAssertions: readonly string[];
  /** Forged access tokens of this service (its own signing key), some with scope admin. */
  readonly forgedAccessTokens: readonly string[];
  /** Every secret-looking value the attacker may paste anywhere. */
  readonly loot: readonly string[];
  close(): Promise<void>;
}

export async function buildAttackWorld(service: TestApp): Promise<AttackWorld> {
  const user = await service.createUser({
    username: 'alice',
    password: PASSWORD,
    email: 'alice@example.com',
  });
  const [partnerKey, attackerKey, signerKey] = await Promise.all([
    partyKey('partner-1'),
    partyKey('attacker-1'),
    partyKey('signer-1'),
  ]);
  const attackerJwks = await startJwksServer([attackerKey.publicJwk]);
  const issuerResult = await service.admin('POST', '/admin/trusted-issuers', {
    issuer: PARTNER,
    jwks: { keys: [partnerKey.publicJwk] },
  });
  if (issuerResult.status !== 201) throw new Error(JSON.stringify(issuerResult.body));

  const confidential = {
    grant_types: [...ALL_GRANTS],
    redirect_uris: [REDIRECT_URI],
    scope: 'openid profile email offline_access read write',
    require_consent: false,
  };
  const victim = await service.createClient({ client_name: 'Victim', ...confidential });
  const attacker = await service.createClient({ client_name: 'Attacker', ...confidential });
  const publicClient = await service.createClient({
    client_name: 'Public',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
    redirect_uris: [REDIRECT_URI],
    scope: 'openid profile offline_access',
    require_consent: false,
  });
  const signer = await service.createClient({
    client_name: 'Signer',
    grant_types: ['client_credentials'],
    scope: 'read',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [signerKey.publicJwk] },
  });
  const victimAuth = { basic: [victim.client_id, victim.client_secret!] as [string, string] };

  const password = await service.postForm(
    '/token',
    {
      grant_type: 'password',
      username: 'alice',
      password: PASSWORD,
      scope: 'openid offline_access read',
    },
    victimAuth,
  );
  if (password.status !== 200) throw new Error(JSON.stringify(password.body));
  const credentials = await service.postForm(
    '/token',
    { grant_type: 'client_credentials', scope: 'read' },
    victimAuth,
  );
  if (credentials.status !== 200) throw new Error(JSON.stringify(credentials.body));

  // An unredeemed code of the victim, through a signed-in browser.
  const browser = new UserAgent(service.issuer);
  const { verifier, challenge } = pkcePair();
  const redirect = redirectOf(
    await authorizeThrough(
      browser,
      authorizeUrl(service, {
        client_id: victim.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid offline_access',
        state: randomValue(),
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { username: 'alice', password: PASSWORD },
    ),
  );
  const victimCode = redirect.query.code!;

  // An approved, unredeemed device code of the victim.
  const device = await deviceAuthorization(service, victim, { scope: 'openid' });
  if (device.status !== 200) throw new Error(JSON.stringify(device.body));
  await decide(new UserAgent(service.issuer), device.body.user_code, user, 'allow');

  // A partner assertion and a client assertion, each used once by their rightful party.
  const tokenEndpoint = `${service.issuer}/token`;
  const assertionBase = assertionClaims(PARTNER, 'alice', tokenEndpoint);
  const usedAssertion = await signAssertion(partnerKey, assertionBase);
  const bearer = await service.postForm(
    '/token',
    { grant_type: JWT_BEARER, assertion: usedAssertion },
    victimAuth,
  );
  if (bearer.status !== 200) throw new Error(JSON.stringify(bearer.body));
  const clientClaims = assertionClaims(signer.client_id, signer.client_id, tokenEndpoint);
  const usedClientAssertion = await signAssertion(signerKey, clientClaims);
  const signed = await service.postForm('/token', {
    grant_type: 'client_credentials',
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: usedClientAssertion,
  });
  if (signed.status !== 200) throw new Error(JSON.stringify(signed.body));

  // The service's own key, as its JWKS publishes it, for access-token forgeries.
  const jwks = (await service.request('GET', '/jwks')).body as { keys: Record<string, unknown>[] };
  const serviceJwk = jwks.keys.find((key) => key.alg === 'ES256')!;
  const serviceKeyView: PartyKey = {
    kid: String(serviceJwk.kid),
    alg: 'ES256',
    privateKey: attackerKey.privateKey,
    publicJwk: serviceJwk,
  };
  const accessClaims = {
    iss: service.issuer,
    sub: user.id,
    aud: service.issuer,
    client_id: 'test-admin',
    scope: 'openid admin read',
    jti: randomValue(),
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 600,
  };
  const victimUserAccessToken = password.body.access_token as string;
  const forgedAccessTokens = (
    await forgeries({
      claims: accessClaims,
      trusted: serviceKeyView,
      attacker: attackerKey,
      attackerJwksUri: attackerJwks.uri,
      genuine: victimUserAccessToken,
    })
  ).filter((token) => token !== victimUserAccessToken);
  const forgedAssertions = await forgeries({
    claims: { ...assertionBase, jti: randomValue() },
    trusted: partnerKey,
    attacker: attackerKey,
    attackerJwksUri: attackerJwks.uri,
    genuine: usedAssertion,
  });
  const forgedClientAssertions = await forgeries({
    claims: { ...clientClaims, jti: randomValue() },
    trusted: signerKey,
    attacker: attackerKey,
    attackerJwksUri: attackerJwks.uri,
    genuine: usedClientAssertion,
  });

  const victimRefreshToken = password.body.refresh_token as string;
  const victimClientAccessToken = credentials.body.access_token as string;
  return {
    user,
    victim,
    attacker,
    publicClient,
    signer,
    signerKey,
    partnerKey,
    attackerKey,
    attackerJwks,
    victimRefreshToken,
    victimUserAccessToken,
    victimClientAccessToken,
    victimCode,
    victimCodeVerifier: verifier,
    victimDeviceCode: device.body.device_code as string,
    usedAssertion,
    usedClientAssertion,
    forgedAssertions,
    forgedClientAssertions,
    forgedAccessTokens,
    loot: [
      victimRefreshToken,
      victimUserAccessToken,
      victimClientAccessToken,
      victimCode,
      device.body.device_code as string,
      device.body.user_code as string,
      usedAssertion,
      victim.client_secret!,
    ],
    close: () => attackerJwks.close(),
  };
}
