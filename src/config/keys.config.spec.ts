import { invalidEnvironmentError } from '../../test/support/thrown-error.js';
import { MIN_KEY_ENCRYPTION_SECRET_LENGTH, parseKeysConfig } from './keys.config.js';

describe('parseKeysConfig', () => {
  it('when KEY_ENCRYPTION_SECRET is unset or blank then a generated one is used later', () => {
    expect(parseKeysConfig({})).toEqual({ encryptionSecret: undefined });
    expect(parseKeysConfig({ KEY_ENCRYPTION_SECRET: '   ' })).toEqual({
      encryptionSecret: undefined,
    });
  });

  it('when KEY_ENCRYPTION_SECRET has 32 characters then it is used', () => {
    const secret = 'k'.repeat(32);
    expect(MIN_KEY_ENCRYPTION_SECRET_LENGTH).toBe(32);
    expect(parseKeysConfig({ KEY_ENCRYPTION_SECRET: secret })).toEqual({
      encryptionSecret: secret,
    });
  });

  it('when KEY_ENCRYPTION_SECRET is too short then start-up fails naming it, not echoing it', () => {
    const short = 'k'.repeat(31);
    const error = invalidEnvironmentError(() => parseKeysConfig({ KEY_ENCRYPTION_SECRET: short }));
    expect(error.variable).toBe('KEY_ENCRYPTION_SECRET');
    expect(error.message).toMatch(/^Invalid configuration: KEY_ENCRYPTION_SECRET \S[^\r\n]*$/);
    expect(error.message).not.toContain(short);
  });

  it('when the secret is short only after trimming then it is refused', () => {
    expect(() => parseKeysConfig({ KEY_ENCRYPTION_SECRET: `  ${'k'.repeat(30)}  ` })).toThrow(
      /^Invalid configuration: KEY_ENCRYPTION_SECRET /,
    );
  });
});
