import { BadRequestException, Logger, type LoggerService, NotFoundException } from '@nestjs/common';
import {
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  ServerError,
} from '../oauth/oauth-error.js';
import { ProblemError } from '../problem/problem.error.js';
import { errorResponse } from './error-response.js';

/** Keeps what the error logger writes, so a test can look at the log. */
class RecordingLogger implements LoggerService {
  readonly lines: { level: string; message: string }[] = [];
  log(message: unknown): void {
    this.lines.push({ level: 'log', message: String(message) });
  }
  error(message: unknown): void {
    this.lines.push({ level: 'error', message: String(message) });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', message: String(message) });
  }
  debug(message: unknown): void {
    this.lines.push({ level: 'debug', message: String(message) });
  }
}

const OAUTH_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
};

describe('errorResponse', () => {
  let log: RecordingLogger;

  beforeEach(() => {
    log = new RecordingLogger();
    Logger.overrideLogger(log);
  });
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  describe('on the protocol endpoints', () => {
    it('when an OAuthError is thrown then the body is the RFC 6749 error and it is not cached', () => {
      expect(errorResponse(new InvalidGrantError('the code has expired'), '/token')).toEqual({
        status: 400,
        headers: OAUTH_HEADERS,
        body: { error: 'invalid_grant', error_description: 'the code has expired' },
      });
    });

    it('when an OAuthError has a private detail then it is logged, not sent', () => {
      const error = new InvalidScopeError('scope not allowed: admin', 'client c1 asked for admin');
      const response = errorResponse(error, '/token');
      expect(response.body).toEqual({
        error: 'invalid_scope',
        error_description: 'scope not allowed: admin',
      });
      expect(JSON.stringify(response)).not.toContain('c1');
      expect(log.lines).toContainEqual({
        level: 'debug',
        message: 'invalid_scope: client c1 asked for admin',
      });
    });

    it('when InvalidClientError has a Basic realm then it is 401 with a WWW-Authenticate challenge', () => {
      const error = new InvalidClientError('client authentication failed', {
        basicRealm: 'https://id.example.com',
      });
      expect(errorResponse(error, '/token')).toEqual({
        status: 401,
        headers: {
          'WWW-Authenticate': 'Basic realm="https://id.example.com"',
          ...OAUTH_HEADERS,
        },
        body: { error: 'invalid_client', error_description: 'client authentication failed' },
      });
    });

    it('when InvalidClientError has no Basic realm then it is 400 without a challenge', () => {
      const response = errorResponse(new InvalidClientError('unknown client'), '/token');
      expect(response.status).toBe(400);
      expect(response.headers).toEqual(OAUTH_HEADERS);
      expect(response.body).toEqual({
        error: 'invalid_client',
        error_description: 'unknown client',
      });
    });

    it('when an unexpected Error is thrown then it is a 500 server_error with a reference and no stack', () => {
      const error = new Error('connection to database lost at db.internal:5432');
      const response = errorResponse(error, '/token');
      expect(response.status).toBe(500);
      expect(response.headers).toEqual(OAUTH_HEADERS);
      const body = response.body as { error: string; error_description: string };
      expect(Object.keys(body)).toEqual(['error', 'error_description']);
      expect(body.error).toBe('server_error');
      const reference = /^internal error, request id ([0-9a-f-]{36})$/.exec(
        body.error_description,
      )?.[1];
      expect(reference).toBeDefined();
      expect(JSON.stringify(response)).not.toContain('db.internal');
      expect(JSON.stringify(response)).not.toContain('error-response.spec');
      const logged = log.lines.filter((line) => line.level === 'error');
      expect(logged).toHaveLength(1);
      expect(logged[0]!.message).toContain(`request id ${reference}`);
      expect(logged[0]!.message).toContain(error.stack);
    });

    it('when something that is not an Error is thrown then it also becomes server_error', () => {
      const response = errorResponse('a string', '/token');
      expect(response.status).toBe(500);
      expect((response.body as { error: string }).error).toBe('server_error');
    });

    it('when the request id is given then the server_error names it and the log line too', () => {
      const response = errorResponse(new Error('boom'), '/token', 'req-42');
      expect(response.body).toEqual({
        error: 'server_error',
        error_description: 'internal error, request id req-42',
      });
      expect(log.lines.filter((line) => line.level === 'error')[0]!.message).toMatch(
        /^unexpected error, request id req-42: Error: boom/,
      );
    });

    it.each([
      [
        'a refused connection',
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      ],
      ['a pool timeout', new Error('timeout exceeded when trying to connect')],
      ['a lost connection', new Error('Connection terminated unexpectedly')],
      [
        'a server shutting down',
        Object.assign(new Error('terminating connection'), { code: '57P01' }),
      ],
      [
        'a TypeORM error wrapping a refused connection',
        Object.assign(new Error('query failed'), {
          driverError: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        }),
      ],
      [
        'an AggregateError of refused connections',
        new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], 'x'),
      ],
    ])(
      'when the database is unreachable (%s) then it is 503 temporarily_unavailable, no-store, and a warning is logged',
      (_, error) => {
        expect(errorResponse(error, '/token', 'req-7')).toEqual({
          status: 503,
          headers: OAUTH_HEADERS,
          body: {
            error: 'temporarily_unavailable',
            error_description: 'the service is temporarily unavailable, try again later',
          },
        });
        expect(log.lines).toEqual([
          {
            level: 'warn',
            message: expect.stringMatching(/^database unavailable, request id req-7: /),
          },
        ]);
      },
    );

    it('when a query fails for another reason then it stays a 500 server_error', () => {
      const error = Object.assign(new Error('syntax error'), { code: '42601' });
      expect(errorResponse(error, '/token').status).toBe(500);
    });

    it('when two unexpected errors happen then their references differ', () => {
      const first = errorResponse(new Error('x'), '/token').body as { error_description: string };
      const second = errorResponse(new Error('x'), '/token').body as { error_description: string };
      expect(first.error_description).not.toBe(second.error_description);
    });

    it('when ServerError is thrown on purpose then its description is kept', () => {
      expect(errorResponse(new ServerError('try again later'), '/token').body).toEqual({
        error: 'server_error',
        error_description: 'try again later',
      });
    });

    it('when no route matches then it is 404 in the RFC 6749 shape', () => {
      expect(errorResponse(new NotFoundException(), '/nowhere')).toEqual({
        status: 404,
        headers: OAUTH_HEADERS,
        body: { error: 'not_found', error_description: 'no such endpoint' },
      });
    });

    it('when Fastify refuses a too large body then it is 413 invalid_request', () => {
      const tooLarge = Object.assign(new Error('Request body is too large'), {
        statusCode: 413,
        code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      });
      expect(errorResponse(tooLarge, '/token')).toEqual({
        status: 413,
        headers: OAUTH_HEADERS,
        body: { error: 'invalid_request', error_description: 'the request body is too large' },
      });
    });

    it('when Fastify refuses the media type then it is a 400 invalid_request asking for a form', () => {
      const unsupported = Object.assign(new Error('Unsupported Media Type'), {
        statusCode: 415,
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      });
      expect(errorResponse(unsupported, '/token')).toMatchObject({
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: 'content type must be application/x-www-form-urlencoded',
        },
      });
    });

    it('when a path only starts with "admin" then it is not the admin API', () => {
      const response = errorResponse(new InvalidRequestError('bad'), '/administrator');
      expect(response.headers['Content-Type']).toBe('application/json; charset=utf-8');
    });
  });

  describe('under /admin', () => {
    it('when the admin root is called with a query string then the error is still a problem', () => {
      const response = errorResponse(new ProblemError(404, 'Not Found'), '/admin?access_token=x');
      expect(response.headers['Content-Type']).toBe('application/problem+json; charset=utf-8');
    });

    it('when a ProblemError has field errors then it is problem+json listing each field', () => {
      const error = ProblemError.badRequest('invalid client metadata', [
        { pointer: '/redirect_uris', detail: '"http://x/cb": use https' },
        { pointer: '/grant_types', detail: '"magic" is not supported' },
      ]);
      expect(errorResponse(error, '/admin/clients')).toEqual({
        status: 400,
        headers: {
          'Content-Type': 'application/problem+json; charset=utf-8',
          'Cache-Control': 'no-store',
        },
        body: {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: 'invalid client metadata',
          errors: [
            { pointer: '/redirect_uris', detail: '"http://x/cb": use https' },
            { pointer: '/grant_types', detail: '"magic" is not supported' },
          ],
        },
      });
    });

    it('when a ProblemError has headers then they are sent', () => {
      const error = new ProblemError(401, 'Unauthorized', 'a bearer token is required', undefined, {
        'WWW-Authenticate': 'Bearer',
      });
      const response = errorResponse(error, '/admin/users');
      expect(response.status).toBe(401);
      expect(response.headers['WWW-Authenticate']).toBe('Bearer');
      expect(response.body).toEqual({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'a bearer token is required',
      });
    });

    it('when an unexpected Error is thrown then it is a 500 problem with a reference and no stack', () => {
      const error = new Error('secret internals');
      const response = errorResponse(error, '/admin/keys/rotate');
      expect(response.status).toBe(500);
      expect(response.headers['Content-Type']).toBe('application/problem+json; charset=utf-8');
      expect(response.body).toEqual({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: expect.stringMatching(/^internal error, request id [0-9a-f-]{36}$/),
      });
      expect(JSON.stringify(response)).not.toContain('secret internals');
    });

    it('when the database is unreachable then it is a 503 problem', () => {
      const error = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      const response = errorResponse(error, '/admin/clients', 'req-9');
      expect(response.status).toBe(503);
      expect(response.body).toEqual({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'the service is temporarily unavailable, try again later',
      });
    });

    it('when Nest throws a 400 HttpException then its message is the detail', () => {
      expect(
        errorResponse(new BadRequestException('limit must be a number'), '/admin/clients').body,
      ).toEqual({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'limit must be a number',
      });
    });

    it('when the JSON body is malformed then the detail says so', () => {
      const badJson = Object.assign(new SyntaxError('Unexpected token'), {
        statusCode: 400,
        code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      });
      expect(errorResponse(badJson, '/admin/users').body).toEqual({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'the request body is not valid JSON',
      });
    });

    it('when the path is exactly /admin then it is the admin API too', () => {
      const response = errorResponse(new NotFoundException(), '/admin');
      expect(response.status).toBe(404);
      expect(response.headers['Content-Type']).toBe('application/problem+json; charset=utf-8');
    });
  });
});
