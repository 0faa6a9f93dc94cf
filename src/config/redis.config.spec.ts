import { InvalidEnvironmentError } from './environment.js';
import { parseRedisConfig } from './redis.config.js';

describe('parseRedisConfig', () => {
  it('when REDIS_URL is unset or blank then everything stays in-process', () => {
    expect(parseRedisConfig({})).toEqual({ url: undefined });
    expect(parseRedisConfig({ REDIS_URL: '' })).toEqual({ url: undefined });
  });

  it.each(['redis://127.0.0.1:6379', 'rediss://user:secret@cache.internal:6380/2'])(
    'when REDIS_URL is %s then it is used',
    (url) => {
      expect(parseRedisConfig({ REDIS_URL: url })).toEqual({ url });
    },
  );

  it.each(['http://x', 'redis://', 'localhost:6379', 'redis://cache internal'])(
    'when REDIS_URL is "%s" then start-up fails naming REDIS_URL',
    (url) => {
      expect(() => parseRedisConfig({ REDIS_URL: url })).toThrow(InvalidEnvironmentError);
      expect(() => parseRedisConfig({ REDIS_URL: url })).toThrow(
        /^Invalid configuration: REDIS_URL \S[^\r\n]*$/,
      );
    },
  );
});
