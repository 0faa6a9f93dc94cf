import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { createApp } from '../../src/app.factory.js';
import type { IdentityServiceOptions } from '../../src/app.module.js';
import { freePort } from './free-port.js';
import { copyTestDatabase, createTemplateDatabase, type TestDatabase } from './test-database.js';

export const ADMIN_CLIENT_ID = 'test-admin';
export const ADMIN_CLIENT_SECRET = randomBytes(32).toString('base64url');

/** A client as the admin API returns it on registration. */
export type RegisteredClient = { client_id: string; client_secret?: string };

export interface HttpResult<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** The service running on a loopback port with its own database, and helpers to talk to it. */
export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly issuer: string;
  readonly db: TestDatabase;
  /** Any request; JSON or text body decoded. */
  request<T = any>(
    method: string,
    path: string,
    init?: { headers?: Record<string, string>; body?: string },
  ): Promise<HttpResult<T>>;
  /** A form POST, as a client sends to the token, introspection and revocation endpoints. */
  postForm<T = any>(
    path: string,
    params: Record<string, string>,
    init?: { basic?: [string, string]; headers?: Record<string, string> },
  ): Promise<HttpResult<T>>;
  /** A call to the admin API with the bootstrap admin client's token. */
  admin<T = any>(method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
  adminToken(): Promise<string>;
  createClient(metadata: Record<string, unknown>): Promise<RegisteredClient & Record<string, any>>;
  createUser(
    user: Record<string, unknown>,
  ): Promise<{ id: string; username: string } & Record<string, any>>;
  /** Stops the service; the database stays (for a restart) unless dropDatabase is set. */
  close(options?: { dropDatabase?: boolean }): Promise<void>;
}

export interface StartOptions extends IdentityServiceOptions {
  /**
   * Reuse a database (e.g. to restart the service on it), or start on an empty one
   * (createTestDatabase) to see what a first start does. By default: a copy of a database
   * the service has already started on once (seededTemplate).
   */
  readonly db?: TestDatabase;
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
}

export const KEY_ENCRYPTION_SECRET = randomBytes(32).toString('base64url');

/** The environment a test service starts with, before a test's own variables. */
function serviceEnvironment(db: TestDatabase, issuer: string, port: number) {
  return {
    PORT: String(port),
    ISSUER: issuer,
    DATABASE_URL: db.url,
    ADMIN_CLIENT_ID,
    ADMIN_CLIENT_SECRET,
    KEY_ENCRYPTION_SECRET,
    // Tests are quiet: errors only, unless a test asks for more.
    LOG_LEVEL: 'error',
    // Tests send many bad credentials from one address; the limits have tests of their own.
    FAILURE_LIMITS: 'off',
  };
}

let template: Promise<TestDatabase> | undefined;

/**
 * A database the service has started on once, made once per worker process: migrated,
 * with its signing keys (encrypted with this process's KEY_ENCRYPTION_SECRET), and nothing
 * else. A first start generates a current and a next key for four algorithms, four of
 * them RSA: about a second of each start on 2 cores, against a tenth on a copy. What a
 * first start does is tested on empty databases (startup and CLI specs).
 */
function seededTemplate(): Promise<TestDatabase> {
  template ??= (async () => {
    const db = await createTemplateDatabase();
    Object.assign(process.env, serviceEnvironment(db, 'http://127.0.0.1:1', 1));
    const app = await createApp();
    try {
      await app.init();
    } finally {
      await app.close();
    }
    return db;
  })().catch((error: unknown) => {
    // Not kept: the next file tries again rather than fail for this one's sake.
    template = undefined;
    throw error;
  });
  return template;
}

export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await copyTestDatabase(await seededTemplate()));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  Object.assign(process.env, { ...serviceEnvironment(db, issuer, port), ...options.env });
  const app = await createApp(options);
  try {
    await app.listen({ port, host: '127.0.0.1' });
  } catch (error) {
    // Not left running in the worker process, which the next e2e file shares.
    await app.close();
    throw error;
  }

  let cachedAdminToken: string | undefined;
  const request = async (
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string } = {},
  ) => {
    const response = await fetch(`${issuer}${path}`, {
      method,
      headers: init.headers,
      body: init.body,
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const body = type.includes('json') && text !== '' ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body };
  };
  const postForm = (
    path: string,
    params: Record<string, string>,
    init: { basic?: [string, string]; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      ...init.headers,
    };
    if (init.basic) headers.authorization = basicAuthorization(...init.basic);
    return request('POST', path, { headers, body: new URLSearchParams(params).toString() });
  };
  const adminToken = async () => {
    if (cachedAdminToken === undefined) {
      const result = await postForm(
        '/token',
        { grant_type: 'client_credentials', scope: 'admin' },
        { basic: [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET] },
      );
      if (result.status !== 200)
        throw new Error(`admin token: ${result.status} ${JSON.stringify(result.body)}`);
      cachedAdminToken = result.body.access_token as string;
    }
    return cachedAdminToken;
  };
  const admin = async (method: string, path: string, body?: unknown) =>
    request(method, path, {
      headers: {
        authorization: `Bearer ${await adminToken()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const created = async (path: string, body: Record<string, unknown>) => {
    const result = await admin('POST', path, body);
    if (result.status !== 201)
      throw new Error(`POST ${path}: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body;
  };

  return {
    app,
    issuer,
    db,
    request,
    postForm,
    admin,
    adminToken,
    createClient: (metadata) => created('/admin/clients', metadata),
    createUser: (user) => created('/admin/users', user),
    async close({ dropDatabase = true } = {}) {
      await app.close();
      if (dropDatabase) await db.drop();
    },
  };
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
export function basicAuthorization(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}
