import { registerAs } from '@nestjs/config';
import {
  InvalidEnvironmentError,
  optionalString,
  readEnvironment,
  readPort,
} from './environment.js';

export interface ServerConfig {
  readonly port: number;
  /** The issuer identifier: scheme, host, optional port and path, no trailing slash. */
  readonly issuer: string;
}

export function parseServerConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const port = readPort(env);
  const issuer = optionalString(env, 'ISSUER') ?? `http://localhost:${port}`;
  // URL parsing drops tabs and newlines inside a value; the issuer is compared as written.
  if (/\s/.test(issuer)) {
    throw new InvalidEnvironmentError('ISSUER', 'must not contain whitespace');
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new InvalidEnvironmentError('ISSUER', `must be an absolute URL (got "${issuer}")`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidEnvironmentError('ISSUER', 'must use https (or http for development)');
  }
  // RFC 8414 §2: an issuer has no query or fragment.
  if (url.search || url.hash || issuer.includes('?') || issuer.includes('#')) {
    throw new InvalidEnvironmentError('ISSUER', 'must not have a query or fragment');
  }
  if (issuer.endsWith('/')) {
    throw new InvalidEnvironmentError('ISSUER', 'must not end with a slash');
  }
  return { port, issuer };
}

export const serverConfig = registerAs('server', () => parseServerConfig(readEnvironment()));
