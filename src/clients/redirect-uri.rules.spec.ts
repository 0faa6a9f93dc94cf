import {
  httpsUrlProblem,
  isLoopbackHost,
  originProblem,
  redirectUriProblem,
} from './redirect-uri.rules.js';

const WEB = { applicationType: 'web', usesImplicit: false } as const;
const WEB_IMPLICIT = { applicationType: 'web', usesImplicit: true } as const;
const NATIVE = { applicationType: 'native', usesImplicit: false } as const;
const NATIVE_IMPLICIT = { applicationType: 'native', usesImplicit: true } as const;

describe('isLoopbackHost', () => {
  it.each(['localhost', '127.0.0.1', '[::1]', 'app.localhost'])(
    'when the host is %s then it is loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each(['example.com', 'localhost.example.com', '127.0.0.2', '10.0.0.1'])(
    'when the host is %s then it is not loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe('redirectUriProblem', () => {
  it.each([
    ['an https URI', 'https://app.example.com/callback', WEB],
    ['an https URI with a query', 'https://app.example.com/callback?tenant=a', WEB],
    ['an http loopback URI', 'http://localhost:3000/callback', WEB],
    ['an https URI for implicit', 'https://app.example.com/callback', WEB_IMPLICIT],
    ['a private-use scheme for a native app', 'com.example.app:/oauth2redirect', NATIVE],
    ['an http IPv4 loopback URI for a native app', 'http://127.0.0.1:51004/cb', NATIVE],
    ['an http IPv6 loopback URI for a native app', 'http://[::1]:51004/cb', NATIVE],
    ['an http loopback URI for a native implicit app', 'http://localhost/cb', NATIVE_IMPLICIT],
    ['an https claimed URI for a native app', 'https://app.example.com/cb', NATIVE],
  ])('when it is %s then it is accepted', (_, uri, client) => {
    expect(redirectUriProblem(uri, client)).toBeUndefined();
  });

  it.each([
    ['relative', '/callback', WEB, 'is not an absolute URI'],
    ['not a URI', 'not a uri', NATIVE, 'is not an absolute URI'],
    ['with a fragment', 'https://app.example.com/cb#x', WEB, 'must not have a fragment'],
    ['with an empty fragment', 'https://app.example.com/cb#', WEB, 'must not have a fragment'],
    ['javascript:', 'javascript:alert(1)', NATIVE, 'forbidden scheme'],
    ['data:', 'data:text/html,hi', NATIVE, 'forbidden scheme'],
    ['vbscript:', 'vbscript:msgbox', NATIVE, 'forbidden scheme'],
    ['file:', 'file:///etc/passwd', NATIVE, 'forbidden scheme'],
    ['a custom scheme for a web client', 'com.example.app:/cb', WEB, 'must use https'],
    ['plain http off loopback', 'http://app.example.com/cb', WEB, 'only allowed for loopback'],
    ['http loopback for implicit', 'http://localhost/cb', WEB_IMPLICIT, 'not a loopback host'],
    ['https loopback for implicit', 'https://127.0.0.1/cb', WEB_IMPLICIT, 'not a loopback host'],
    ['native plain http off loopback', 'http://app.example.com/cb', NATIVE, 'loopback host'],
  ])('when it is %s then it is refused', (_, uri, client, reason) => {
    const problem = redirectUriProblem(uri, client);
    expect(problem).toContain(reason);
    expect(problem).toContain(`"${uri}"`);
  });
});

describe('originProblem', () => {
  it.each(['https://app.example.com', 'http://localhost:3000', 'https://app.example.com:8443'])(
    'when %s is given then it is an origin',
    (origin) => {
      expect(originProblem(origin)).toBeUndefined();
    },
  );

  it.each([
    'https://app.example.com/',
    'https://app.example.com/path',
    'https://APP.example.com',
    'https://app.example.com:443',
    'ftp://app.example.com',
    'app.example.com',
    '*',
  ])('when %s is given then it is not an origin', (origin) => {
    expect(originProblem(origin)).toBe(
      `"${origin}" is not an origin (scheme://host[:port], no path or trailing slash)`,
    );
  });
});

describe('httpsUrlProblem', () => {
  it.each(['https://app.example.com/logo.png', 'http://localhost:8080/jwks.json'])(
    'when %s is given then it is accepted',
    (url) => {
      expect(httpsUrlProblem(url)).toBeUndefined();
    },
  );

  it.each(['http://app.example.com/logo.png', 'ftp://app.example.com/x', 'nope'])(
    'when %s is given then it must be https',
    (url) => {
      expect(httpsUrlProblem(url)).toBe(`"${url}" must be an https URL`);
    },
  );
});
