/** One invalid field of an admin request, as RFC 9457 §3 suggests ("errors" with a JSON pointer). */
export interface ProblemFieldError {
  readonly pointer: string;
  readonly detail: string;
}

/**
 * An admin API error, rendered as RFC 9457 application/problem+json.
 * `title` is the short summary for the status, `detail` this occurrence.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: readonly ProblemFieldError[],
    /** Extra response headers, e.g. WWW-Authenticate. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }

  static badRequest(detail: string, errors?: readonly ProblemFieldError[]): ProblemError {
    return new ProblemError(400, 'Bad Request', detail, errors);
  }

  static notFound(detail: string): ProblemError {
    return new ProblemError(404, 'Not Found', detail);
  }

  static conflict(detail: string): ProblemError {
    return new ProblemError(409, 'Conflict', detail);
  }
}
