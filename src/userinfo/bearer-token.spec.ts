import type { FastifyRequest } from 'fastify';
import { thrownError } from '../../test/support/thrown-error.js';
import { InvalidRequestError } from '../common/oauth/oauth-error.js';
import { bearerTokenOf } from './bearer-token.js';

const FORM = 'application/x-www-form-urlencoded';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln';

function request(parts: {
  method?: string;
  headers?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
}): FastifyRequest {
  return {
    method: parts.method ?? 'GET',
    headers: parts.headers ?? {},
    query: parts.query ?? {},
    body: parts.body,
  } as unknown as FastifyRequest;
}

function refusal(input: Parameters<typeof request>[0]): string {
  return thrownError(InvalidRequestError, () => bearerTokenOf(request(input))).description;
}

describe('bearerTokenOf (RFC 6750 §2)', () => {
  it('when the Authorization header carries a Bearer token then it is the token, whatever the scheme case', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      expect(bearerTokenOf(request({ headers: { authorization: `${scheme} ${TOKEN}` } }))).toBe(
        TOKEN,
      );
    }
  });

  it('when the token has every b64token character and padding then it is accepted as is', () => {
    const token = 'Az09-._~+/==';
    expect(bearerTokenOf(request({ headers: { authorization: `Bearer ${token}` } }))).toBe(token);
  });

  it('when nothing is presented, or another scheme, then there is no token', () => {
    expect(bearerTokenOf(request({}))).toBeUndefined();
    expect(bearerTokenOf(request({ headers: { authorization: 'Basic YTpi' } }))).toBeUndefined();
    expect(bearerTokenOf(request({ headers: { authorization: 'Bearerish x' } }))).toBeUndefined();
  });

  it('when a form POST carries access_token then it is the token', () => {
    const form = { method: 'POST', headers: { 'content-type': `${FORM}; charset=utf-8` } };
    expect(bearerTokenOf(request({ ...form, body: { access_token: TOKEN } }))).toBe(TOKEN);
    expect(bearerTokenOf(request({ ...form, body: { access_token: '' } }))).toBeUndefined();
  });

  it('when access_token is in a body that is not a form POST then it is ignored', () => {
    const body = { access_token: TOKEN };
    expect(
      bearerTokenOf(
        request({ method: 'POST', headers: { 'content-type': 'application/json' }, body }),
      ),
    ).toBeUndefined();
    expect(
      bearerTokenOf(request({ method: 'GET', headers: { 'content-type': FORM }, body })),
    ).toBeUndefined();
  });

  it('when the token is in the URL query then invalid_request, even beside a header', () => {
    const message = 'access tokens are not accepted in the URL query';
    expect(refusal({ query: { access_token: TOKEN } })).toBe(message);
    expect(
      refusal({ query: { access_token: TOKEN }, headers: { authorization: `Bearer ${TOKEN}` } }),
    ).toBe(message);
  });

  it('when the token comes both in the header and the form then invalid_request', () => {
    expect(
      refusal({
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': FORM },
        body: { access_token: TOKEN },
      }),
    ).toBe('the access token must be sent in one way only');
  });

  it('when the Bearer credential is empty or malformed then invalid_request', () => {
    expect(refusal({ headers: { authorization: 'Bearer' } })).toBe(
      'the Authorization header has no bearer token',
    );
    for (const authorization of ['Bearer a b', 'Bearer a=b', 'Bearer ä', 'Bearer "x"']) {
      expect(refusal({ headers: { authorization } })).toBe(
        'the Authorization header is not a valid bearer credential',
      );
    }
  });

  it('when the form repeats access_token then invalid_request', () => {
    expect(
      refusal({
        method: 'POST',
        headers: { 'content-type': FORM },
        body: { access_token: [TOKEN, TOKEN] },
      }),
    ).toBe('parameter access_token is repeated');
  });
});
