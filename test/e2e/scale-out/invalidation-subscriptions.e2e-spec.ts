import { Redis } from 'ioredis';
import type { InvalidationChannel } from '../../../src/shared-state/invalidation-bus.js';
import { RedisConnections } from '../../../src/shared-state/redis/redis-connections.js';
import { RedisInvalidationBus } from '../../../src/shared-state/redis/redis-invalidation-bus.js';
import { PrivateRedis, REDIS_SERVER_AVAILABLE } from './redis-server.js';
import { subscribedInvalidationChannels, within } from './scale-out-support.js';

const CHANNELS: InvalidationChannel[] = ['clients', 'keys', 'trusted-issuers'];
const ISSUER = 'https://issuer.example';

/** One instance's bus, and what its handlers heard ("channel:key"). */
function instance(url: string) {
  const connections = new RedisConnections(url, ISSUER);
  const bus = new RedisInvalidationBus(connections);
  const heard: string[] = [];
  const subscribeAll = () => {
    for (const channel of CHANNELS)
      bus.subscribe(channel, (key) => heard.push(`${channel}:${key}`));
  };
  return { connections, bus, heard, subscribeAll };
}

/**
 * The invalidation bus's subscriptions on a redis-server of the test's own: they must
 * survive a quick start (subscribing while ioredis still makes its ready check) and a Redis
 * restart, or an instance stops hearing the others' changes without a word.
 */
describe.skipIf(!REDIS_SERVER_AVAILABLE)('invalidation bus subscriptions (Redis)', () => {
  let redis: PrivateRedis;
  let probe: Redis;
  const allSubscribed = () => subscribedInvalidationChannels(probe, CHANNELS.length);

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    probe = new Redis(redis.url, { retryStrategy: () => 50 });
    // It reconnects by itself while Redis restarts; the failures are expected.
    probe.on('error', () => undefined);
  });
  afterAll(async () => {
    probe?.disconnect();
    await redis?.kill();
  });

  it('when the channels are subscribed while the connection makes its ready check then it does not drop, and after Redis restarts every channel is subscribed again and delivers', async () => {
    const listener = instance(redis.url);
    const sender = instance(redis.url);
    // Also when the test times out, so that no connection keeps retrying in the worker.
    onTestFinished(async () => {
      await Promise.all([listener.connections.close(), sender.connections.close()]);
    });
    const errors: string[] = [];
    listener.connections.subscriber.on('error', (error: Error) => errors.push(error.message));
    // Between 'connect' and 'ready', where a service that starts quickly subscribes.
    await new Promise<void>((resolve) =>
      listener.connections.subscriber.once('connect', () => {
        listener.subscribeAll();
        resolve();
      }),
    );
    expect(await allSubscribed()).toEqual(CHANNELS);
    expect(errors).toEqual([]);
    await sender.bus.publish('clients', 'before-restart');
    await within(2_000, async () =>
      listener.heard.includes('clients:before-restart') ? true : undefined,
    );
    expect(listener.heard).toContain('clients:before-restart');

    listener.heard.length = 0;
    await redis.kill();
    await redis.start();
    expect(await allSubscribed()).toEqual(CHANNELS);
    // Back: every handler heard that anything may have changed while it was away.
    for (const channel of CHANNELS) expect(listener.heard).toContain(`${channel}:undefined`);
    const { value: delivered } = await within(5_000, async () => {
      await sender.bus.publish('keys', 'after-restart');
      return listener.heard.includes('keys:after-restart') ? true : undefined;
    });
    expect(delivered).toBe(true);
  });
});
