import { invalidEnvironmentError } from '../../test/support/thrown-error.js';
import { parseLifecycleConfig } from './lifecycle.config.js';

describe('parseLifecycleConfig', () => {
  it('when SHUTDOWN_TIMEOUT_MS is unset or blank then it is 10000', () => {
    expect(parseLifecycleConfig({})).toEqual({ shutdownTimeoutMs: 10_000 });
    expect(parseLifecycleConfig({ SHUTDOWN_TIMEOUT_MS: '' })).toEqual({
      shutdownTimeoutMs: 10_000,
    });
  });

  it('when SHUTDOWN_TIMEOUT_MS is 2500 then the timeout is 2500 ms', () => {
    expect(parseLifecycleConfig({ SHUTDOWN_TIMEOUT_MS: ' 2500 ' })).toEqual({
      shutdownTimeoutMs: 2500,
    });
  });

  it.each(['0', '-1', '1.5', '10s', 'abc', '600001', '1e4'])(
    'when SHUTDOWN_TIMEOUT_MS is "%s" then start-up fails with one line naming it',
    (value) => {
      const error = invalidEnvironmentError(() =>
        parseLifecycleConfig({ SHUTDOWN_TIMEOUT_MS: value }),
      );
      expect(error.variable).toBe('SHUTDOWN_TIMEOUT_MS');
      expect(error.message).toBe(
        `Invalid configuration: SHUTDOWN_TIMEOUT_MS must be an integer from 1 to 600000 (milliseconds; got "${value}")`,
      );
    },
  );
});
