import { Logger } from '@nestjs/common';
import { errorResponse } from '../http/error-response.js';
import {
  AccessTokenRequiredError,
  bearerChallenge,
  InsufficientScopeError,
  InvalidTokenError,
} from './oauth-error.js';

const REALM = 'https://id.example.com';

describe('bearerChallenge (RFC 6750 §3)', () => {
  it('when only a realm is given then the challenge names only the realm', () => {
    expect(bearerChallenge(REALM)).toBe('Bearer realm="https://id.example.com"');
  });

  it('when an error and a scope are given then they follow the realm', () => {
    expect(bearerChallenge(REALM, 'insufficient_scope', 'openid')).toBe(
      'Bearer realm="https://id.example.com", error="insufficient_scope", scope="openid"',
    );
  });

  it('when a value holds a quote or a backslash then it is escaped', () => {
    expect(bearerChallenge('a"b\\c')).toBe('Bearer realm="a\\"b\\\\c"');
  });
});

describe('errors of bearer-protected resources, as rendered', () => {
  // The private detail is logged at debug level; this spec only looks at the response.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it('when no token was presented then 401 with a bare challenge and no body', () => {
    expect(errorResponse(new AccessTokenRequiredError(REALM), '/userinfo')).toEqual({
      status: 401,
      headers: {
        'WWW-Authenticate': 'Bearer realm="https://id.example.com"',
        'Cache-Control': 'no-store',
        Pragma: 'no-cache',
      },
      body: undefined,
    });
  });

  it('when the token is invalid then 401 invalid_token in the challenge and the body, the detail kept out', () => {
    const error = new InvalidTokenError('the access token is invalid', {
      realm: REALM,
      detail: 'jti 123 revoked',
    });

    const response = errorResponse(error, '/userinfo');

    expect(response).toEqual({
      status: 401,
      headers: {
        'WWW-Authenticate': 'Bearer realm="https://id.example.com", error="invalid_token"',
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        Pragma: 'no-cache',
      },
      body: { error: 'invalid_token', error_description: 'the access token is invalid' },
    });
    expect(JSON.stringify(response)).not.toContain('123');
  });

  it('when the token lacks a scope then 403 insufficient_scope naming the scope', () => {
    const error = new InsufficientScopeError(`the access token lacks scope 'openid'`, {
      realm: REALM,
      scope: 'openid',
    });

    expect(errorResponse(error, '/userinfo')).toEqual({
      status: 403,
      headers: {
        'WWW-Authenticate':
          'Bearer realm="https://id.example.com", error="insufficient_scope", scope="openid"',
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        Pragma: 'no-cache',
      },
      body: {
        error: 'insufficient_scope',
        error_description: `the access token lacks scope 'openid'`,
      },
    });
  });
});
