import type { FastifyRequest } from 'fastify';
import { loggedRequest } from './log-serializers.js';
import { completionLevel } from './request-log.hook.js';

const request = (url: string) =>
  ({
    url,
    method: 'GET',
    ip: '127.0.0.1',
    headers: { authorization: 'Bearer x' },
  }) as unknown as FastifyRequest;

describe('loggedRequest', () => {
  it('when the URL has a query then the logged path has none, and no headers are logged', () => {
    expect(loggedRequest(request('/authorize?code=abc&state=s'))).toEqual({
      method: 'GET',
      path: '/authorize',
      remoteAddress: '127.0.0.1',
    });
  });

  it('when the URL has no query then the path is the URL', () => {
    expect(loggedRequest(request('/token')).path).toBe('/token');
  });
});

describe('completionLevel', () => {
  it.each([
    [200, 'debug'],
    [303, 'debug'],
    [400, 'info'],
    [401, 'info'],
    [500, 'error'],
    [503, 'error'],
  ])('when the status is %i then the request line is at %s', (status, level) => {
    expect(completionLevel(status)).toBe(level);
  });
});
