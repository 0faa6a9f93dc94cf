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
