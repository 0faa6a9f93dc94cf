import { InvalidScopeError } from '../common/oauth/oauth-error.js';

export function parseScope(scope: string | undefined): string[] {
  return scope === undefined ? [] : [...new Set(scope.split(' ').filter((token) => token !== ''))];
}

/**
 * The scopes to grant (RFC 6749 §3.3): those requested, all of which must be
 * within `allowed`; when none are requested, all of `allowed`.
 */
export function grantedScopes(
  requested: string | undefined,
  allowed: ReadonlySet<string>,
): string[] {
  const scopes = parseScope(requested);
  if (scopes.length === 0) return [...allowed];
  const refused = scopes.filter((scope) => !allowed.has(scope));
  if (refused.length > 0) {
    throw new InvalidScopeError(`scope not allowed: ${refused.join(' ')}`);
  }
  return scopes;
}
