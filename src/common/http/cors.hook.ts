import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CorsService } from '../../clients/cors.service.js';
import { TOKEN_PATH } from '../../grants/token.controller.js';
import { JWKS_PATH } from '../../keys/jwks.controller.js';
import { REVOCATION_PATH } from '../../tokens/revocation.controller.js';
import { USERINFO_PATH } from '../../userinfo/userinfo.controller.js';

/** Seconds a browser may keep a preflight's answer. */
const PREFLIGHT_MAX_AGE = '600';
/** The request headers a browser app sends to these endpoints. */
const ALLOWED_HEADERS = 'authorization, content-type';
/** Response headers a browser app may read beside the safelisted ones: RFC 6750's challenge. */
const EXPOSED_HEADERS = 'WWW-Authenticate';

/** Endpoints a browser app calls as a client (its credentials or its token), and their methods. */
const CLIENT_ENDPOINTS: ReadonlyMap<string, readonly string[]> = new Map([
  [`/${TOKEN_PATH}`, ['POST']],
  [`/${REVOCATION_PATH}`, ['POST']],
  [`/${USERINFO_PATH}`, ['GET', 'POST']],
]);

type CorsEndpoint =
  { readonly kind: 'public' } | { readonly kind: 'client'; methods: readonly string[] };

/** Public documents (discovery, JWKS) are open to any origin; nothing else here is listed. */
function corsEndpointOf(url: string): CorsEndpoint | undefined {
  const path = url.split('?', 1)[0]!;
  if (path.startsWith('/.well-known/') || path === `/${JWKS_PATH}`) return { kind: 'public' };
  const methods = CLIENT_ENDPOINTS.get(path);
  return methods === undefined ? undefined : { kind: 'client', methods };
}

/**
 * CORS for the endpoints browsers call, as Fastify hooks on every route (one
 * place, no per-controller copies):
 *
 * - discovery documents and the JWKS: `Access-Control-Allow-Origin: *` to
 *   GET, credentials never allowed;
 * - token, revocation and userinfo: a preflight is answered 204 and allows
 *   the origin when some client lists it in `allowed_cors_origins` (it has no
 *   credentials to tell which client it is for); the actual request echoes
 *   the origin only when the client it involves lists it: the authenticated
 *   client at token and revocation, the access token's client at userinfo.
 *   Before any client is known (failed client authentication, an unusable
 *   token) the error is readable by the origins of all clients, as a
 *   preflight would have been. `Vary: Origin` on all of them.
 *
 * Introspection and the admin API are for servers: no CORS headers at all.
 */
@Injectable()
export class CorsHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly cors: CorsService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify === undefined) return;
    // onRequest runs for unrouted requests too: Nest has no OPTIONS routes.
    fastify.addHook('onRequest', (request, reply) => this.preflight(request, reply));
    fastify.addHook('onSend', async (request, reply, payload) => {
      await this.actual(request, reply);
      return payload;
    });
  }

  private async preflight(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> {
    if (request.method !== 'OPTIONS') return undefined;
    const endpoint = corsEndpointOf(request.url);
    if (endpoint === undefined) return undefined;
    if (endpoint.kind === 'public') {
      reply.headers({
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET',
        'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
      });
    } else {
      reply.header('Vary', 'Origin');
      const origin = request.headers.origin;
      if (origin !== undefined && (await this.cors.isAllowedByAnyClient(origin))) {
        reply.headers({
          'Access-Control-Allow-Origin': origin,
          'Access-Control-Allow-Methods': endpoint.methods.join(', '),
          'Access-Control-Allow-Headers': ALLOWED_HEADERS,
          'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
        });
      }
    }
    await reply.code(204).send();
    return reply;
  }

  private async actual(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.method === 'OPTIONS') return;
    const endpoint = corsEndpointOf(request.url);
    if (endpoint === undefined) return;
    if (endpoint.kind === 'public') {
      if (request.method === 'GET' || request.method === 'HEAD') {
        reply.header('Access-Control-Allow-Origin', '*');
      }
      return;
    }
    if (!endpoint.methods.includes(request.method)) return;
    addVary(reply, 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined) return;
    const allowed =
      this.cors.isAllowedByRequestClient(request, origin) ??
      (await this.cors.isAllowedByAnyClient(origin));
    if (allowed) {
      reply.headers({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Expose-Headers': EXPOSED_HEADERS,
      });
    }
  }
}

function addVary(reply: FastifyReply, name: string): void {
  const current = reply.getHeader('vary');
  if (current === undefined || current === '') {
    reply.header('Vary', name);
    return;
  }
  const names = String(current)
    .split(',')
    .map((value) => value.trim().toLowerCase());
  if (!names.includes(name.toLowerCase()) && !names.includes('*')) {
    reply.header('Vary', `${String(current)}, ${name}`);
  }
}
