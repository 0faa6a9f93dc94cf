import { exportJWK, generateKeyPair, type JWK, SignJWT, jwtVerify } from 'jose';
import { JwksResolver, type JwksResolverOptions } from './jwks-resolver.js';

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } as JWK };
}

function sign(privateKey: CryptoKey, kid: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid })
    .setExpirationTime('5m')
    .sign(privateKey);
}

/** A fetch answering with whatever `published` holds, counting the calls. */
function jwksServer(published: { keys: JWK[] }, body?: () => string) {
  const server = {
    calls: 0,
    fetch: (async () => {
      server.calls += 1;
      return new Response(body ? body() : JSON.stringify(published), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch,
  };
  return server;
}

const URI = 'https://issuer.example/jwks';

describe('JwksResolver', () => {
  const resolver = (server: { fetch: typeof fetch }, options: Partial<JwksResolverOptions> = {}) =>
    new JwksResolver({ fetch: server.fetch, ...options });

  it('when a jwks_uri is used twice then it is fetched once', async () => {
    const first = await keyPair('k1');
    const server = jwksServer({ keys: [first.jwk] });
    const keys = resolver(server).keysFor({}, { jwksUri: URI });

    await jwtVerify(await sign(first.privateKey, 'k1'), keys);
    await jwtVerify(await sign(first.privateKey, 'k1'), keys);

    expect(server.calls).toBe(1);
  });

  it('when a JWT names a kid the cached set lacks and the cooldown has passed then the set is fetched again', async () => {
    const first = await keyPair('k1');
    const second = await keyPair('k2');
    const published = { keys: [first.jwk] };
    const server = jwksServer(published);
    const keys = resolver(server, { cooldownMs: 0 }).keysFor({}, { jwksUri: URI });
    await jwtVerify(await sign(first.privateKey, 'k1'), keys);

    published.keys = [first.jwk, second.jwk];
    await jwtVerify(await sign(second.privateKey, 'k2'), keys);

    expect(server.calls).toBe(2);
  });

  it('when unknown kids arrive within the cooldown then the set is not fetched again', async () => {
    const first = await keyPair('k1');
    const second = await keyPair('k2');
    const published = { keys: [first.jwk] };
    const server = jwksServer(published);
    const keys = resolver(server, { cooldownMs: 60_000 }).keysFor({}, { jwksUri: URI });
    await jwtVerify(await sign(first.privateKey, 'k1'), keys);

    published.keys = [first.jwk, second.jwk];
    await expect(jwtVerify(await sign(second.privateKey, 'k2'), keys)).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
    expect(server.calls).toBe(1);
  });

  it('when two owners use the same jwks_uri then they share one cached set', async () => {
    const first = await keyPair('k1');
    const server = jwksServer({ keys: [first.jwk] });
    const jwks = resolver(server);

    await jwtVerify(await sign(first.privateKey, 'k1'), jwks.keysFor({}, { jwksUri: URI }));
    await jwtVerify(await sign(first.privateKey, 'k1'), jwks.keysFor({}, { jwksUri: URI }));

    expect(server.calls).toBe(1);
  });

  it('when the JWKS document is larger than the limit then verification fails', async () => {
    const first = await keyPair('k1');
    const server = jwksServer({ keys: [first.jwk] }, () => ' '.repeat(2048));
    const keys = resolver(server, { maxBytes: 1024 }).keysFor({}, { jwksUri: URI });

    await expect(jwtVerify(await sign(first.privateKey, 'k1'), keys)).rejects.toThrow(
      `the JWKS at ${URI} is larger than 1024 bytes`,
    );
  });

  it('when the keys are inline then no fetch happens', async () => {
    const first = await keyPair('k1');
    const server = jwksServer({ keys: [] });
    const keys = resolver(server).keysFor({}, { jwks: { keys: [first.jwk] } });

    await jwtVerify(await sign(first.privateKey, 'k1'), keys);

    expect(server.calls).toBe(0);
  });
});
