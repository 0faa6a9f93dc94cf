import { validateConfiguration } from './config/app-config.module.js';
import { InvalidEnvironmentError } from './config/environment.js';
import { serverConfig } from './config/server.config.js';

async function bootstrap(): Promise<void> {
  // Every variable is checked before anything starts; the application itself
  // is loaded only then, so a bad value fails fast.
  validateConfiguration();
  const { createApp } = await import('./app.factory.js');
  const app = await createApp();
  const { port } = app.get<{ port: number }>(serverConfig.KEY);
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
