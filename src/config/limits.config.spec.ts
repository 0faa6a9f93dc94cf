import { invalidEnvironmentError } from '../../test/support/thrown-error.js';
import { parseLimitsConfig } from './limits.config.js';

describe('parseLimitsConfig', () => {
  it('when FAILURE_LIMITS is unset then the limits are on', () => {
    expect(parseLimitsConfig({})).toEqual({ failureLimits: true });
  });

  it('when FAILURE_LIMITS is on or off then it is taken', () => {
    expect(parseLimitsConfig({ FAILURE_LIMITS: 'on' })).toEqual({ failureLimits: true });
    expect(parseLimitsConfig({ FAILURE_LIMITS: 'off' })).toEqual({ failureLimits: false });
  });

  it('when FAILURE_LIMITS is anything else then start-up fails naming it', () => {
    const error = invalidEnvironmentError(() => parseLimitsConfig({ FAILURE_LIMITS: 'maybe' }));
    expect(error.variable).toBe('FAILURE_LIMITS');
    expect(error.message).toBe(
      'Invalid configuration: FAILURE_LIMITS must be "on" or "off" (got "maybe")',
    );
  });
});
