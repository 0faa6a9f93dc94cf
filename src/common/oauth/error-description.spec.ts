import { errorDescription, MAX_ERROR_DESCRIPTION_LENGTH } from './error-description.js';

/** RFC 6749 §5.2: error-description = 1*( %x20-21 / %x23-5B / %x5D-7E ). */
const RFC_6749_DESCRIPTION = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/;

describe('errorDescription (RFC 6749 §4.1.2.1, §5.2)', () => {
  it('keeps a description that is already allowed', () => {
    const text = "parameter scope is too long; use one of: a, b (see RFC 6749 §3.3's rule)";
    expect(errorDescription('the redirect_uri is not registered')).toBe(
      'the redirect_uri is not registered',
    );
    expect(errorDescription(text.replace('§', 'section'))).toBe(text.replace('§', 'section'));
  });

  it('turns double quotes into single ones, backslashes into slashes, and anything else outside the set into "?"', () => {
    expect(errorDescription('grant_type "magic\\link" is not supported')).toBe(
      "grant_type 'magic/link' is not supported",
    );
    // One "?" a code point: the emoji is one.
    expect(errorDescription('parameter naïve\r\n\t😀 is repeated')).toBe(
      'parameter na?ve???? is repeated',
    );
  });

  it(`cuts a description longer than ${MAX_ERROR_DESCRIPTION_LENGTH} characters`, () => {
    const cut = errorDescription(`parameter ${'a'.repeat(19_000)} is too long`);
    expect(cut).toHaveLength(MAX_ERROR_DESCRIPTION_LENGTH);
    expect(cut.endsWith('aaa...')).toBe(true);
  });

  it('gives text of the allowed characters only, whatever it is given', () => {
    const samples = ['"', '\\', '\u0000', '\u007f', '\ud800', 'ÿ', '€', 'x'.repeat(1000), ' ok '];
    for (const sample of samples) expect(errorDescription(sample)).toMatch(RFC_6749_DESCRIPTION);
  });
});
