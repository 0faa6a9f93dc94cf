import { invalidEnvironmentError } from '../../test/support/thrown-error.js';
import { parseLoggingConfig } from './logging.config.js';

describe('parseLoggingConfig', () => {
  it('when LOG_LEVEL is unset or blank then the level is info', () => {
    expect(parseLoggingConfig({})).toEqual({ level: 'info' });
    expect(parseLoggingConfig({ LOG_LEVEL: ' ' })).toEqual({ level: 'info' });
  });

  it.each(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])(
    'when LOG_LEVEL is %s then that is the level',
    (level) => {
      expect(parseLoggingConfig({ LOG_LEVEL: level })).toEqual({ level });
    },
  );

  it.each(['verbose', 'INFO', 'log', '3', 'debug\ninfo'])(
    'when LOG_LEVEL is "%s" then start-up fails with one line naming LOG_LEVEL',
    (level) => {
      const error = invalidEnvironmentError(() => parseLoggingConfig({ LOG_LEVEL: level }));
      expect(error.variable).toBe('LOG_LEVEL');
      expect(error.message).toMatch(/^Invalid configuration: LOG_LEVEL must be one of [^\r\n]+$/);
    },
  );
});
