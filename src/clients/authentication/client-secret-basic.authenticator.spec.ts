import { decodeBasicCredentials } from './client-secret-basic.authenticator.js';

/** What an RFC 6749 §2.3.1 client sends: base64 of the form-urlencoded id and secret. */
function basic(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64');
}

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

describe('decodeBasicCredentials', () => {
  it('when id and secret are plain then they come back as they are', () => {
    expect(decodeBasicCredentials(basic('my-client', 's3cr3t'))).toEqual({
      clientId: 'my-client',
      clientSecret: 's3cr3t',
    });
  });

  it.each([
    ['a colon', 'urn:example:client', 'pa:ss:word'],
    ['a plus sign', 'client+one', 'a+b=c'],
    ['a percent sign', 'client%20', '100%sure'],
    ['a space', 'my client', 'open sesame'],
    ['non-ASCII characters', 'клиент', 'пароль€'],
    ['an ampersand and slash', 'a&b/c', 'x/y&z'],
  ])(
    'when id and secret hold %s then the form-urlencoding is undone',
    (_, clientId, clientSecret) => {
      expect(decodeBasicCredentials(basic(clientId, clientSecret))).toEqual({
        clientId,
        clientSecret,
      });
    },
  );

  it('when a "+" was sent unencoded then it means a space, as form-urlencoding says', () => {
    expect(decodeBasicCredentials(base64('my+client:open+sesame'))).toEqual({
      clientId: 'my client',
      clientSecret: 'open sesame',
    });
  });

  it('when the client did not encode a colon in the secret then everything after the first colon is the secret', () => {
    expect(decodeBasicCredentials(base64('client:a:b'))).toEqual({
      clientId: 'client',
      clientSecret: 'a:b',
    });
  });

  it('when the base64 has no padding then it still decodes', () => {
    const encoded = base64('client:secret1').replace(/=+$/, '');
    expect(decodeBasicCredentials(encoded)).toEqual({
      clientId: 'client',
      clientSecret: 'secret1',
    });
  });

  it('when there is no colon then it is undefined', () => {
    expect(decodeBasicCredentials(base64('client-without-secret'))).toBeUndefined();
  });

  it('when the client id is empty then it is undefined', () => {
    expect(decodeBasicCredentials(base64(':secret'))).toBeUndefined();
  });

  it('when the secret is empty then it is undefined', () => {
    expect(decodeBasicCredentials(base64('client:'))).toBeUndefined();
  });

  it.each([
    ['not base64', 'not base64!'],
    ['base64url rather than base64', base64('client:s?>~').replace(/\+/g, '-').replace(/\//g, '_')],
    ['empty', ''],
    ['too much padding', `${base64('client:secret')}===`],
  ])('when the value is %s then it is undefined', (_, encoded) => {
    expect(decodeBasicCredentials(encoded)).toBeUndefined();
  });

  it('when a percent-escape is broken then it is undefined', () => {
    expect(decodeBasicCredentials(base64('client:100%'))).toBeUndefined();
    expect(decodeBasicCredentials(base64('cli%zzent:secret'))).toBeUndefined();
  });
});
