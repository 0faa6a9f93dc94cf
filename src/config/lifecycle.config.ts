import { registerAs } from '@nestjs/config';
import { InvalidEnvironmentError, optionalString, readEnvironment } from './environment.js';

export interface LifecycleConfig {
  /** After SIGTERM, the longest the service takes to finish in-flight requests and exit. */
  readonly shutdownTimeoutMs: number;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const MAX_SHUTDOWN_TIMEOUT_MS = 600_000;

export function parseLifecycleConfig(env: NodeJS.ProcessEnv): LifecycleConfig {
  const raw = optionalString(env, 'SHUTDOWN_TIMEOUT_MS');
  if (raw === undefined) return { shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS };
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_SHUTDOWN_TIMEOUT_MS) {
    throw new InvalidEnvironmentError(
      'SHUTDOWN_TIMEOUT_MS',
      `must be an integer from 1 to ${MAX_SHUTDOWN_TIMEOUT_MS} (milliseconds; got "${raw}")`,
    );
  }
  return { shutdownTimeoutMs: value };
}

export const lifecycleConfig = registerAs('lifecycle', () =>
  parseLifecycleConfig(readEnvironment()),
);
