import { invalidEnvironmentError } from '../../test/support/thrown-error.js';
import { MIN_KEY_ENCRYPTION_SECRET_LENGTH, parseKeysConfig } from './keys.config.js';

describe('parseKeysConfig', () => {
  it('when KEY_ENCRYPTION_SECRET is unset or blank then a generated one is used later', () => {
    expect(parseKeysConfig({})).toMatchObject({ encryptionSecret: undefined });
    expect(parseKeysConfig({ KEY_ENCRYPTION_SECRET: '   ' })).toMatchObject({
      encryptionSecret: undefined,
    });
  });

  it('when KEY_ENCRYPTION_SECRET has 32 characters then it is used', () => {
    const secret = 'k'.repeat(32);
    expect(MIN_KEY_ENCRYPTION_SECRET_LENGTH).toBe(32);
    expect(parseKeysConfig({ KEY_ENCRYPTION_SECRET: secret })).toMatchObject({
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

  it('when KEY_ROTATION_PERIOD is unset then keys rotate every 90 days', () => {
    expect(parseKeysConfig({}).rotationPeriodMs).toBe(90 * 86_400_000);
  });

  it('when KEY_ROTATION_PERIOD is a duration then it is used, and off turns the schedule off', () => {
    expect(parseKeysConfig({ KEY_ROTATION_PERIOD: '12h' }).rotationPeriodMs).toBe(12 * 3_600_000);
    expect(parseKeysConfig({ KEY_ROTATION_PERIOD: '30m' }).rotationPeriodMs).toBe(30 * 60_000);
    expect(parseKeysConfig({ KEY_ROTATION_PERIOD: '45s' }).rotationPeriodMs).toBe(45_000);
    expect(parseKeysConfig({ KEY_ROTATION_PERIOD: 'off' }).rotationPeriodMs).toBeUndefined();
  });

  it.each(['0d', '90', '1w', '-5d', '1.5d', 'never'])(
    'when KEY_ROTATION_PERIOD is %j then start-up fails naming it',
    (value) => {
      const error = invalidEnvironmentError(() => parseKeysConfig({ KEY_ROTATION_PERIOD: value }));
      expect(error.variable).toBe('KEY_ROTATION_PERIOD');
      expect(error.message).toBe(
        `Invalid configuration: KEY_ROTATION_PERIOD must be "off" or a duration such as 90d, 12h, 30m or 45s (got "${value}")`,
      );
    },
  );
});
