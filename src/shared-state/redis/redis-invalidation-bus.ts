import { Logger } from '@nestjs/common';
import {
  InvalidationBus,
  type InvalidationChannel,
  type InvalidationHandler,
} from '../invalidation-bus.js';
import type { RedisConnections } from './redis-connections.js';

interface Message {
  /** The instance that sent it. */
  readonly from: string;
  readonly key: string | null;
}

/**
 * Redis pub/sub, one channel per InvalidationChannel under the issuer's
 * prefix. Whenever the subscriber connection becomes ready (at start, and
 * after an outage) it subscribes to every channel again, and every handler
 * hears "anything may have changed", since messages sent while it was not
 * listening are lost.
 *
 * SUBSCRIBE goes out only on a ready connection, never ioredis's own
 * resubscription: ioredis 5 writes a SUBSCRIBE issued while it connects
 * before its ready check (INFO), which the server then refuses in
 * subscriber mode, and the connection drops (ioredis#2037). An instance
 * that started quickly (on a database it had started on before) lost its
 * connection so, and after the next Redis outage came back subscribed to
 * nothing: it no longer heard other instances' invalidations.
 */
export class RedisInvalidationBus extends InvalidationBus {
  private readonly logger = new Logger('SharedState');
  private readonly handlers = new Map<string, InvalidationHandler[]>();
  private publishFailing = false;

  constructor(private readonly redis: RedisConnections) {
    super();
    redis.subscriber.on('message', (channel: string, raw: string) => this.deliver(channel, raw));
    redis.subscriber.on('ready', () => {
      // Shutting down: a SUBSCRIBE would follow the QUIT, and the caches are being let go.
      if (redis.isClosing) return;
      this.listen([...this.handlers.keys()]);
      // Whatever was sent while this instance was not listening is lost.
      this.deliverToAll();
    });
  }

  async publish(channel: InvalidationChannel, key?: string): Promise<void> {
    const message: Message = { from: this.redis.instanceId, key: key ?? null };
    try {
      await this.redis.commands.publish(this.channelName(channel), JSON.stringify(message));
      this.publishFailing = false;
    } catch (error) {
      // Other instances' cache lifetimes bound staleness; one line per outage.
      if (!this.publishFailing) {
        this.logger.warn(
          `could not publish a ${channel} invalidation: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      this.publishFailing = true;
    }
  }

  subscribe(channel: InvalidationChannel, handler: InvalidationHandler): void {
    const name = this.channelName(channel);
    const existing = this.handlers.get(name);
    if (existing !== undefined) {
      existing.push(handler);
      return;
    }
    this.handlers.set(name, [handler]);
    // Otherwise the next 'ready' subscribes to it.
    if (this.redis.subscriber.status === 'ready') this.listen([name]);
  }

  private listen(names: string[]): void {
    if (names.length === 0) return;
    this.redis.subscriber.subscribe(...names).catch((error: unknown) => {
      // The connection went away meanwhile: the next 'ready' subscribes again.
      this.logger.warn(
        `could not subscribe to ${names.join(', ')}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  private channelName(channel: InvalidationChannel): string {
    return `${this.redis.prefix}invalidate:${channel}`;
  }

  private deliver(channel: string, raw: string): void {
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (message.from === this.redis.instanceId) return;
    for (const handler of this.handlers.get(channel) ?? []) {
      this.call(handler, typeof message.key === 'string' ? message.key : undefined);
    }
  }

  private deliverToAll(): void {
    for (const handlers of this.handlers.values()) {
      for (const handler of handlers) this.call(handler, undefined);
    }
  }

  private call(handler: InvalidationHandler, key: string | undefined): void {
    try {
      handler(key);
    } catch (error) {
      this.logger.error(
        `an invalidation handler failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
