import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { InvalidRequestError } from '../common/oauth/oauth-error.js';

/**
 * A grant's parameters as its DTO class, or invalid_request naming the first
 * bad parameter. Unknown parameters are ignored (RFC 6749 §3.2).
 */
export function grantParams<T extends object>(
  dto: new () => T,
  params: Readonly<Record<string, string>>,
): T {
  const instance = plainToInstance(dto, params);
  const [error] = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
  if (error !== undefined) {
    const missing = params[error.property] === undefined;
    throw new InvalidRequestError(
      missing ? `${error.property} is required` : `${error.property} is invalid`,
      Object.values(error.constraints ?? {}).join('; '),
    );
  }
  return instance;
}
