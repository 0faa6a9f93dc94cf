import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ProblemError } from '../../common/problem/problem.error.js';
import { ADMIN_BEARER_STRATEGY, type AdminPrincipal } from './admin-bearer.strategy.js';

export const ADMIN_SCOPE = 'admin';

/**
 * The admin API's guard: a bearer token of this service (401 without one,
 * RFC 6750 §3) carrying scope `admin` (403 otherwise, §3.1 insufficient_scope).
 */
@Injectable()
export class AdminGuard extends AuthGuard(ADMIN_BEARER_STRATEGY) {
  override handleRequest<TUser = AdminPrincipal>(
    error: unknown,
    principal: AdminPrincipal | false,
    _info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (error) throw error;
    const authorization = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization;
    // Only the Authorization header (RFC 6750 §2.1): tokens in URLs end up in logs.
    const presented = authorization !== undefined && /^bearer /i.test(authorization);
    if (!presented || !principal) {
      throw new ProblemError(
        401,
        'Unauthorized',
        presented
          ? 'the access token is invalid or expired'
          : 'a bearer access token is required in the Authorization header',
        undefined,
        {
          'WWW-Authenticate': presented
            ? 'Bearer realm="admin", error="invalid_token"'
            : 'Bearer realm="admin"',
        },
      );
    }
    if (!principal.scopes.has(ADMIN_SCOPE)) {
      throw new ProblemError(
        403,
        'Forbidden',
        `the access token lacks scope "${ADMIN_SCOPE}"`,
        undefined,
        {
          'WWW-Authenticate': `Bearer realm="admin", error="insufficient_scope", scope="${ADMIN_SCOPE}"`,
        },
      );
    }
    return principal as TUser;
  }
}
