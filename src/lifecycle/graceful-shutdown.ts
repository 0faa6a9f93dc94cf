import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * On SIGTERM (or SIGINT): stop accepting connections, let in-flight requests
 * finish (Fastify answers them with Connection: close), then close the
 * database pool and the rest, and exit 0. Exits 1 when that takes longer
 * than `timeoutMs` or fails.
 */
export function shutDownGracefully(app: NestFastifyApplication, timeoutMs: number): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: finishing in-flight requests (at most ${timeoutMs} ms)`);
    const timer = setTimeout(() => {
      logger.error(`shutdown did not finish within ${timeoutMs} ms: exiting`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    app.close().then(
      () => {
        clearTimeout(timer);
        logger.log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, stop);
}
