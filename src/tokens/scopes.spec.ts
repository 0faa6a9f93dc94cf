import { thrownError } from '../../test/support/thrown-error.js';
import { InvalidScopeError } from '../common/oauth/oauth-error.js';
import { grantedScopes, parseScope } from './scopes.js';

const ALLOWED = new Set(['openid', 'profile', 'read', 'write']);

describe('parseScope', () => {
  it('when the scope is absent or empty then there are none', () => {
    expect(parseScope(undefined)).toEqual([]);
    expect(parseScope('')).toEqual([]);
  });

  it('when scopes repeat or have extra spaces then each is listed once, in order', () => {
    expect(parseScope(' read  write read ')).toEqual(['read', 'write']);
  });
});

describe('grantedScopes', () => {
  it('when no scope is requested then every allowed scope is granted', () => {
    expect(grantedScopes(undefined, ALLOWED)).toEqual(['openid', 'profile', 'read', 'write']);
    expect(grantedScopes('', ALLOWED)).toEqual(['openid', 'profile', 'read', 'write']);
  });

  it('when a subset is requested then exactly that subset is granted', () => {
    expect(grantedScopes('write read', ALLOWED)).toEqual(['write', 'read']);
  });

  it('when a scope is requested twice then it is granted once', () => {
    expect(grantedScopes('read read', ALLOWED)).toEqual(['read']);
  });

  it('when nothing is allowed and nothing requested then nothing is granted', () => {
    expect(grantedScopes(undefined, new Set())).toEqual([]);
  });

  it('when a requested scope is outside the allowed ones then invalid_scope names it', () => {
    const error = thrownError(InvalidScopeError, () => grantedScopes('read admin', ALLOWED));
    expect(error.error).toBe('invalid_scope');
    expect(error.status).toBe(400);
    expect(error.description).toBe('scope not allowed: admin');
  });

  it('when several requested scopes are outside then the description names each refused one', () => {
    const error = thrownError(InvalidScopeError, () => grantedScopes('admin read delete', ALLOWED));
    expect(error.description).toBe('scope not allowed: admin delete');
    expect(error.description).not.toContain('read');
  });

  it('when a scope differs only in case then it is refused', () => {
    expect(thrownError(InvalidScopeError, () => grantedScopes('READ', ALLOWED)).description).toBe(
      'scope not allowed: READ',
    );
  });
});
