import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * On SIGTERM (or SIGINT): stop accepting connections, let in-flight requests
 * finish, then close the database pool and the rest, and exit 0. Exits 1
 * when that takes longer than `timeoutMs` or fails.
 *
 * Every response sent from the signal on carries Connection: close and ends
 * its connection. Fastify does that for requests that arrive while closing,
 * and closes the connections idle at that moment; a request already in
 * flight on a keep-alive connection would otherwise leave its connection
 * open after the answer, and the process would wait on it until the timeout.
 * Must be called before the application listens (hooks are fixed then).
 */
export function shutDownGracefully(app: NestFastifyApplication, timeoutMs: number): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (_request, reply, payload, done) => {
      if (stopping) reply.raw.shouldKeepAlive = false;
      done(null, payload);
    });
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
