import { ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { ProblemError, type ProblemFieldError } from './problem.error.js';

/** class-validator errors as RFC 9457 field errors, one per broken constraint, with a JSON pointer. */
export function toFieldErrors(
  errors: readonly ValidationError[],
  prefix = '',
): ProblemFieldError[] {
  return errors.flatMap((error) => {
    const pointer = `${prefix}/${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      pointer,
      detail: constraint === 'whitelistValidation' ? 'is not a known field' : message,
    }));
    return [...own, ...toFieldErrors(error.children ?? [], pointer)];
  });
}

/** The admin API's body validation: unknown fields refused, every invalid field named. */
export function adminValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      ProblemError.badRequest('invalid request body', toFieldErrors(errors)),
  });
}
