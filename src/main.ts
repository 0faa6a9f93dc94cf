import { validateConfiguration } from './config/app-config.module.js';
import { InvalidEnvironmentError } from './config/environment.js';
import { lifecycleConfig } from './config/lifecycle.config.js';
import { serverConfig } from './config/server.config.js';

async function bootstrap(): Promise<void> {
  // Every variable is checked before anything starts; the application itself
  // is loaded only then, so a bad value fails fast.
  validateConfiguration();
  const [{ createApp }, { shutDownGracefully }] = await Promise.all([
    import('./app.factory.js'),
    import('./lifecycle/graceful-shutdown.js'),
  ]);
  const app = await createApp();
  const { port } = app.get<{ port: number }>(serverConfig.KEY);
  const { shutdownTimeoutMs } = app.get<{ shutdownTimeoutMs: number }>(lifecycleConfig.KEY);
  shutDownGracefully(app, shutdownTimeoutMs);
  await app.listen({ port, host: '0.0.0.0' });
}

try {
  await bootstrap();
} catch (error) {
  if (error instanceof InvalidEnvironmentError) {
    // One line naming the variable; nothing half-started.
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
