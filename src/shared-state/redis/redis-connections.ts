import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { createHash, randomUUID } from 'node:crypto';

/** A command waits at most this long for Redis; then it fails and the caller's choice applies. */
const COMMAND_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 2_000;
/** Reconnection attempts back off to at most this, so that a restarted Redis is used within about a second. */
const MAX_RECONNECT_DELAY_MS = 1_000;
const QUIT_TIMEOUT_MS = 1_000;

/**
 * The two Redis connections of an instance: one for commands, one
 * subscribed to the invalidation channels (a subscribed connection can run
 * nothing else). A dead Redis fails fast (no offline queue for commands, one
 * retry, a command timeout) instead of holding requests; the connections
 * reconnect by themselves. Connection errors are logged once when Redis goes
 * away and once when it is back, never per retry, and never crash the process.
 *
 * Keys and channels carry a prefix derived from the issuer, so that the
 * instances of one issuer share state and other deployments on the same
 * Redis (or tests running side by side) do not see it.
 */
export class RedisConnections {
  readonly commands: Redis;
  readonly subscriber: Redis;
  /** Prefix of every key (applied by ioredis) and every channel (applied by the bus). */
  readonly prefix: string;
  /** Tells this instance's own messages from the others'. */
  readonly instanceId = randomUUID();
  private readonly logger = new Logger('SharedState');
  private closing = false;

  constructor(url: string, issuer: string) {
    this.prefix = `identity:${createHash('sha256').update(issuer).digest('hex').slice(0, 16)}:`;
    const common: RedisOptions = {
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(100 * attempt, MAX_RECONNECT_DELAY_MS),
    };
    this.commands = new Redis(url, {
      ...common,
      keyPrefix: this.prefix,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
    });
    // Subscribed by RedisInvalidationBus on every 'ready', not by ioredis (see there).
    this.subscriber = new Redis(url, {
      ...common,
      autoResubscribe: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    this.watch(this.commands, 'command');
    this.watch(this.subscriber, 'subscriber');
  }

  /** Whether close() has been called: nothing more is to be sent. */
  get isClosing(): boolean {
    return this.closing;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([closeConnection(this.commands), closeConnection(this.subscriber)]);
  }

  private watch(connection: Redis, role: string): void {
    let down = false;
    const lost = (reason: string) => {
      if (down || this.closing) return;
      down = true;
      this.logger.warn(`Redis ${role} connection unavailable (${reason}); reconnecting`);
    };
    connection.on('error', (error: Error) => lost(error.message));
    connection.on('close', () => lost('connection closed'));
    connection.on('ready', () => {
      if (down) this.logger.log(`Redis ${role} connection available again`);
      down = false;
    });
  }
}

async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, QUIT_TIMEOUT_MS);
    });
    await Promise.race([
      connection.quit().then(
        () => undefined,
        () => undefined,
      ),
      timeout,
    ]);
    clearTimeout(timer);
  }
  connection.disconnect();
}
