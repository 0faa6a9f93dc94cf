import { expectProblem } from '../../support/expectations.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectOAuthErrorShape, RequestCounter, rowCounts, send } from './attack-support.js';

const NOT_HTTP = {
  error: 'invalid_request',
  error_description: 'the request is not well-formed HTTP/1.1',
};

describe('requests that Node refuses before routing (RFC 9112 framing)', () => {
  let service: TestApp;
  const counter = new RequestCounter('http-framing');

  beforeAll(async () => {
    service = await startTestApp();
  });
  afterAll(() => service?.close());

  const raw = (lines: string[], body = 'grant_type=client_credentials') =>
    send(
      service.issuer,
      {
        method: 'POST',
        path: '/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        rawHeaderLines: lines,
      },
      counter,
    );

  it('when a request carries both Content-Length and Transfer-Encoding then it gets 400 invalid_request as JSON and the connection is closed', async () => {
    const before = await rowCounts(service.db);

    const response = await raw(['Transfer-Encoding: chunked', 'Content-Length: 4']);

    expectOAuthErrorShape(response);
    expect({ status: response.status, body: response.json }).toEqual({
      status: 400,
      body: NOT_HTTP,
    });
    expect(response.headers.get('connection')).toBe('close');
    expect(await rowCounts(service.db)).toEqual(before);
  });

  it('when a header holds a bare CR then it gets 400 invalid_request as JSON', async () => {
    const response = await raw(['X-Injected: a\rb']);

    expectOAuthErrorShape(response);
    expect({ status: response.status, body: response.json }).toEqual({
      status: 400,
      body: NOT_HTTP,
    });
  });

  it('when the request head is larger than Node accepts then it gets 431 invalid_request as JSON', async () => {
    const response = await raw([`X-Padding: ${'a'.repeat(20_000)}`]);

    expectOAuthErrorShape(response);
    expect({ status: response.status, body: response.json }).toEqual({
      status: 431,
      body: NOT_HTTP,
    });
  });
});

describe('admin URLs that Fastify refuses before routing', () => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startTestApp();
  });
  afterAll(() => service?.close());

  it('when a path parameter is longer than the router accepts then the answer is a 414 problem that does not echo the path', async () => {
    const result = await service.admin('GET', `/admin/clients/${'a'.repeat(120)}`);

    expect({ status: result.status, body: result.body }).toEqual({
      status: 414,
      body: {
        type: 'about:blank',
        title: 'URI Too Long',
        status: 414,
        detail: 'a path segment of the URL is too long',
      },
    });
    expect(result.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  });

  it('when a path parameter is not valid percent-encoding then the answer is a 400 problem', async () => {
    const result = await service.admin('GET', '/admin/clients/%E0%A4%A');

    expectProblem(result, 400, { detail: 'the URL is not valid' });
  });
});
