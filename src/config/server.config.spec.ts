import { invalidEnvironmentError } from '../../test/support/thrown-error.js';
import { InvalidEnvironmentError } from './environment.js';
import { parseServerConfig } from './server.config.js';

function expectOneLineNaming(error: InvalidEnvironmentError, variable: string): void {
  expect(error.variable).toBe(variable);
  expect(error.message).toMatch(new RegExp(`^Invalid configuration: ${variable} \\S`));
  expect(error.message).not.toMatch(/[\r\n]/);
}

describe('parseServerConfig', () => {
  it('when nothing is set then it listens on 3000 with issuer http://localhost:3000', () => {
    expect(parseServerConfig({})).toEqual({ port: 3000, issuer: 'http://localhost:3000' });
  });

  it('when PORT and ISSUER are blank then the defaults apply', () => {
    expect(parseServerConfig({ PORT: '  ', ISSUER: '' })).toEqual({
      port: 3000,
      issuer: 'http://localhost:3000',
    });
  });

  it('when only PORT is set then the default issuer uses that port', () => {
    expect(parseServerConfig({ PORT: '8080' })).toEqual({
      port: 8080,
      issuer: 'http://localhost:8080',
    });
  });

  it('when PORT has surrounding spaces then they are ignored', () => {
    expect(parseServerConfig({ PORT: ' 4000 ' }).port).toBe(4000);
  });

  it('when PORT is at the ends of its range then it is accepted', () => {
    expect(parseServerConfig({ PORT: '1' }).port).toBe(1);
    expect(parseServerConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it.each([
    'https://id.example.com',
    'https://id.example.com/tenant-a',
    'https://id.example.com:8443/realms/main',
    'http://localhost:3000',
  ])('when ISSUER is %s then it is kept exactly as written', (issuer) => {
    expect(parseServerConfig({ PORT: '3000', ISSUER: issuer })).toEqual({ port: 3000, issuer });
  });

  it.each(['abc', '70000', '65536', '0', '-1', '80.5', '1e3', '+80', '0x50', '80 81'])(
    'when PORT is "%s" then start-up fails naming PORT',
    (port) => {
      const error = invalidEnvironmentError(() => parseServerConfig({ PORT: port }));
      expectOneLineNaming(error, 'PORT');
      expect(error.message).toContain(`"${port}"`);
    },
  );

  it.each([
    ['a trailing slash', 'http://x/'],
    ['a trailing slash after a path', 'https://id.example.com/tenant/'],
    ['a query', 'https://id.example.com?tenant=a'],
    ['an empty query', 'https://id.example.com/?'],
    ['a fragment', 'https://id.example.com#top'],
    ['an empty fragment', 'https://id.example.com#'],
    ['the ftp scheme', 'ftp://id.example.com'],
    ['the javascript scheme', 'javascript:alert(1)'],
    ['no scheme', 'id.example.com'],
    ['words, not a URL', 'not a url'],
    ['a tab inside', 'https://id.exa\tmple.com'],
    ['a newline inside', 'https://id.example.com\n/evil'],
  ])('when ISSUER has %s then start-up fails naming ISSUER', (_, issuer) => {
    expectOneLineNaming(
      invalidEnvironmentError(() => parseServerConfig({ ISSUER: issuer })),
      'ISSUER',
    );
  });

  it('when PORT holds a newline then the message still is one line', () => {
    const error = invalidEnvironmentError(() => parseServerConfig({ PORT: '80\n81' }));
    expectOneLineNaming(error, 'PORT');
    expect(error.message).toContain('"80\\n81"');
  });

  it('when PORT is bad then PORT is named even though ISSUER is fine', () => {
    expectOneLineNaming(
      invalidEnvironmentError(() =>
        parseServerConfig({ PORT: 'abc', ISSUER: 'https://id.example.com' }),
      ),
      'PORT',
    );
  });
});
