import type { Socket } from 'node:net';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * Fastify's clientErrorHandler: the answer to a request that Node's HTTP
 * parser refused before any route saw it (both Content-Length and
 * Transfer-Encoding, a bare CR in a header, an oversized head…). It is an
 * RFC 6749 §5.2 error like every other answer of the protocol endpoints (an
 * RFC 9457 problem under /admin), rather than Fastify's own `{"error":"Bad Request",…}`, and the connection
 * is closed (RFC 9112 §6.3: the framing can no longer be trusted).
 */
export function clientErrorHandler(
  error: Error & { code?: string; rawPacket?: unknown },
  socket: Socket,
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
  // What arrived of the request line tells an admin API call (RFC 9457 problem) from a protocol one.
  const raw = Buffer.isBuffer(error.rawPacket) ? error.rawPacket : Buffer.alloc(0);
  const requestLine = raw.subarray(0, 512).toString('latin1');
  const admin = /^[A-Z]+ \/admin(?:[/?# ]|$)/.test(requestLine);
  const detail = 'the request is not well-formed HTTP/1.1';
  const body = JSON.stringify(
    admin
      ? { type: 'about:blank', title: REASONS[status], status, detail }
      : { error: 'invalid_request', error_description: detail },
  );
  const contentType = admin ? 'application/problem+json' : 'application/json';
  socket.end(
    [
      `HTTP/1.1 ${status} ${REASONS[status]}`,
      `Content-Type: ${contentType}; charset=utf-8`,
      'Cache-Control: no-store',
      'Pragma: no-cache',
      'Connection: close',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}
