import { expectProblem, JSON_CONTENT_TYPE, withoutWrites } from '../../support/expectations.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { partyKey, type PartyKey } from './assertions.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const field = (pointer: string, detail: string) => ({ pointer, detail });
const byText = (a: string, b: string) => a.localeCompare(b);

describe('admin API: /admin/trusted-issuers', () => {
  let service: TestApp;
  let key: PartyKey;

  beforeAll(async () => {
    service = await startTestApp();
    key = await partyKey('issuer-key-1');
  });
  afterAll(() => service.close());

  const rows = () =>
    service.db.query<Record<string, unknown>>(
      'SELECT issuer, jwks, jwks_uri, allowed_subjects, allowed_scopes FROM trusted_issuer ORDER BY issuer',
    );

  it('when an issuer is created with inline jwks then 201 with its id and fields, and the row holds them', async () => {
    const result = await service.admin('POST', '/admin/trusted-issuers', {
      issuer: 'https://partner.example',
      jwks: { keys: [key.publicJwk] },
      allowed_subjects: ['alice', 'bob', 'alice'],
      allowed_scopes: ['orders:read'],
    });

    expect(result.status).toBe(201);
    expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
    expect(result.body).toEqual({
      id: expect.stringMatching(UUID_V4),
      issuer: 'https://partner.example',
      jwks: { keys: [key.publicJwk] },
      allowed_subjects: ['alice', 'bob'],
      allowed_scopes: ['orders:read'],
      created_at: expect.any(Number),
    });
    expect(await rows()).toEqual([
      {
        issuer: 'https://partner.example',
        jwks: JSON.stringify({ keys: [key.publicJwk] }),
        jwks_uri: null,
        allowed_subjects: JSON.stringify(['alice', 'bob']),
        allowed_scopes: JSON.stringify(['orders:read']),
      },
    ]);
    await service.admin('DELETE', `/admin/trusted-issuers/${result.body.id}`);
  });

  it('when an issuer is created with a jwks_uri then 201 without jwks and without limits', async () => {
    const result = await service.admin('POST', '/admin/trusted-issuers', {
      issuer: 'https://uri-issuer.example',
      jwks_uri: 'https://uri-issuer.example/jwks.json',
    });

    expect(result.status).toBe(201);
    expect(result.body).toEqual({
      id: expect.stringMatching(UUID_V4),
      issuer: 'https://uri-issuer.example',
      jwks_uri: 'https://uri-issuer.example/jwks.json',
      created_at: expect.any(Number),
    });
    await service.admin('DELETE', `/admin/trusted-issuers/${result.body.id}`);
  });

  it.each([
    [
      'neither jwks nor jwks_uri is given',
      { issuer: 'https://a.example' },
      [field('/jwks', 'one of jwks or jwks_uri is required')],
    ],
    [
      'both jwks and jwks_uri are given',
      { issuer: 'https://a.example', jwks: { keys: [] }, jwks_uri: 'https://a.example/jwks' },
      [field('/jwks', 'jwks and jwks_uri are mutually exclusive')],
    ],
    [
      'jwks holds a private key',
      {
        issuer: 'https://a.example',
        jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }] },
      },
      [field('/jwks', 'keys[0] holds private key material (d); register public keys only')],
    ],
    [
      'jwks_uri is plain http off the loopback interface',
      { issuer: 'https://a.example', jwks_uri: 'http://a.example/jwks' },
      [field('/jwks_uri', '"http://a.example/jwks" must be an https URL')],
    ],
  ])('when %s then 400 naming the field and nothing is written', async (_, body, errors) => {
    const result = await withoutWrites(service.db, () =>
      service.admin('POST', '/admin/trusted-issuers', body),
    );

    expectProblem(result, 400, { detail: 'invalid trusted issuer', errors });
  });

  it('when fields are of the wrong type, missing or unknown then 400 naming each', async () => {
    const result = await withoutWrites(service.db, () =>
      service.admin('POST', '/admin/trusted-issuers', {
        jwks_uri: 'https://a.example/jwks',
        allowed_subjects: [],
        allowed_scopes: ['has space'],
        audience: 'x',
      }),
    );

    expectProblem(result, 400, {
      detail: 'invalid request body',
      errors: expect.arrayContaining([
        field('/issuer', 'issuer must be a non-empty identifier without whitespace'),
        field('/allowed_subjects', 'allowed_subjects must contain at least 1 elements'),
        field('/allowed_scopes', 'each scope must be a scope token (RFC 6749 §3.3)'),
        field('/audience', 'is not a known field'),
      ]),
    });
  });

  it('when the issuer is already trusted then 409 and nothing is written', async () => {
    const first = await service.admin('POST', '/admin/trusted-issuers', {
      issuer: 'https://twice.example',
      jwks: { keys: [key.publicJwk] },
    });
    expect(first.status).toBe(201);

    const second = await withoutWrites(service.db, () =>
      service.admin('POST', '/admin/trusted-issuers', {
        issuer: 'https://twice.example',
        jwks_uri: 'https://twice.example/jwks',
      }),
    );

    expectProblem(second, 409, { detail: 'issuer "https://twice.example" is already trusted' });
    await service.admin('DELETE', `/admin/trusted-issuers/${first.body.id}`);
  });

  it('when the issuers are listed then each comes once, a page at a time', async () => {
    const created = [];
    for (const name of ['one', 'two', 'three']) {
      created.push(
        (
          await service.admin('POST', '/admin/trusted-issuers', {
            issuer: `https://${name}.example`,
            jwks_uri: `https://${name}.example/jwks`,
          })
        ).body,
      );
    }

    const first = await service.admin('GET', '/admin/trusted-issuers?limit=2');
    const second = await service.admin(
      'GET',
      `/admin/trusted-issuers?limit=2&cursor=${first.body.next_cursor}`,
    );

    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(second.body).toEqual({ items: [expect.any(Object)] });
    const listed = [...first.body.items, ...second.body.items];
    expect(listed.map((item: { id: string }) => item.id).sort(byText)).toEqual(
      created.map((item) => item.id).sort(byText),
    );
    expect(listed).toEqual(expect.arrayContaining(created));
    for (const item of created) await service.admin('DELETE', `/admin/trusted-issuers/${item.id}`);
  });

  it('when an issuer is deleted then 204, its row is gone, and a second delete is 404', async () => {
    const created = await service.admin('POST', '/admin/trusted-issuers', {
      issuer: 'https://gone.example',
      jwks_uri: 'https://gone.example/jwks',
    });

    const deleted = await service.admin('DELETE', `/admin/trusted-issuers/${created.body.id}`);
    const again = await service.admin('DELETE', `/admin/trusted-issuers/${created.body.id}`);

    expect(deleted.status).toBe(204);
    expect(await rows()).toEqual([]);
    expectProblem(again, 404, { detail: `no trusted issuer "${created.body.id}"` });
  });

  it('when the id is not a UUID then 404', async () => {
    const result = await service.admin('DELETE', '/admin/trusted-issuers/not-a-uuid');

    expect(result.status).toBe(404);
  });

  it('when no admin token is sent then 401', async () => {
    const result = await service.request('GET', '/admin/trusted-issuers');

    expectProblem(result, 401, {
      detail: 'a bearer access token is required in the Authorization header',
    });
  });
});
