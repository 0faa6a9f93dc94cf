import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../support/free-port.js';
import { SERVICE_VARIABLES } from '../../support/service-variables.js';

/** The compiled service as `npm start` runs it (`npm test` builds dist first). */
export const MAIN = join(
  resolve(dirname(fileURLToPath(import.meta.url)), '../../..'),
  'dist/src/main.js',
);

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  stdout(): string;
  stderr(): string;
  /** The JSON log lines written so far. */
  logLines(): Record<string, any>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process has ended. */
  hasExited(): boolean;
}

/** Starts `node dist/src/main.js` on a free port in `cwd` and waits until discovery answers. */
export async function startServiceProcess(
  cwd: string,
  env: Record<string, string>,
  waitMs = 20_000,
): Promise<ServiceProcess> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of SERVICE_VARIABLES) delete childEnv[name];
  Object.assign(childEnv, { PORT: String(port) }, env);
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let ended = false;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => {
      ended = true;
      done({ code, signal });
    });
  });
  const service: ServiceProcess = {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    stdout: () => stdout,
    stderr: () => stderr,
    logLines: () =>
      stdout
        .split('\n')
        // The last piece is a line still being written (or empty).
        .slice(0, -1)
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, any>),
    exited,
    hasExited: () => ended,
  };
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (ended) throw new Error(`the service exited during start-up:\n${stdout}\n${stderr}`);
    try {
      const response = await fetch(`${service.baseUrl}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (response.status === 200) return service;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the service did not answer within ${waitMs} ms:\n${stdout}\n${stderr}`);
}

/**
 * The first log line that matches, waiting for it a while: a line the
 * service wrote may still be in the pipe when the response is already here.
 */
export async function logLine(
  service: ServiceProcess,
  matches: (line: Record<string, any>) => boolean,
  waitMs = 5_000,
): Promise<Record<string, any>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const found = service.logLines().find(matches);
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(`no such log line within ${waitMs} ms in:\n${service.stdout()}`);
    }
    await new Promise((wait) => setTimeout(wait, 10));
  }
}

/** What one request on a connection of its own came to. */
export type Outcome =
  | {
      readonly kind: 'response';
      readonly status: number;
      /** The Connection header, or '' without one. */
      readonly connection: string;
      readonly body: string;
      readonly at: number;
    }
  | { readonly kind: 'error'; readonly code: string; readonly at: number };

/**
 * A form POST on a new connection (no keep-alive pool), so that each request
 * is accepted, or refused, on its own.
 */
export function postOnNewConnection(
  port: number,
  path: string,
  form: Record<string, string>,
  authorization?: string,
): Promise<Outcome> {
  return post(port, path, form, authorization, false);
}

/**
 * An agent holding `count` keep-alive connections that the server has
 * accepted and answered on. A request sent on one of them is the server's
 * as soon as its bytes arrive; a request on a fresh connection may still sit
 * in the kernel's accept queue when the server stops listening, and be reset.
 */
export async function acceptedConnections(port: number, count: number): Promise<Agent> {
  const agent = new Agent({ keepAlive: true, maxSockets: count, maxFreeSockets: count });
  const answers = await Promise.all(
    Array.from({ length: count }, () =>
      exchange(port, { path: '/.well-known/openid-configuration', method: 'GET' }, '', agent),
    ),
  );
  const failed = answers.find((answer) => answer.kind !== 'response' || answer.status !== 200);
  if (failed !== undefined)
    throw new Error(`warming a connection failed: ${JSON.stringify(failed)}`);
  const open = Object.values(agent.freeSockets).reduce((sum, list) => sum + (list?.length ?? 0), 0);
  if (open !== count)
    throw new Error(`expected ${count} open connections, the agent holds ${open}`);
  return agent;
}

/** A form POST, on a connection from `agent` (or a new one when it is false). */
export function post(
  port: number,
  path: string,
  form: Record<string, string>,
  authorization: string | undefined,
  agent: Agent | false,
): Promise<Outcome> {
  const body = new URLSearchParams(form).toString();
  return exchange(
    port,
    {
      path,
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        ...(authorization === undefined ? {} : { authorization }),
      },
    },
    body,
    agent,
  );
}

function exchange(
  port: number,
  options: { path: string; method: string; headers?: Record<string, string | number> },
  body: string,
  agent: Agent | false,
): Promise<Outcome> {
  return new Promise((done) => {
    const request = httpRequest({ host: '127.0.0.1', port, agent, ...options }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        done({
          kind: 'response',
          status: response.statusCode ?? 0,
          connection: response.headers.connection ?? '',
          body: text,
          at: Date.now(),
        }),
      );
      response.on('error', (error: NodeJS.ErrnoException) =>
        done({ kind: 'error', code: error.code ?? error.message, at: Date.now() }),
      );
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      done({ kind: 'error', code: error.code ?? error.message, at: Date.now() }),
    );
    request.end(body);
  });
}
