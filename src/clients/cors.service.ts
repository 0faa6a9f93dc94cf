import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { Repository } from 'typeorm';
import type { Client } from './client.js';
import { ClientEntity } from './client.entity.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The client a bearer-token request acts for (the access token's client),
     * set by the resource endpoint once the token is verified; like
     * `oauthClient` at the token endpoint, it decides the CORS answer.
     */
    tokenClient?: Client;
  }
}

/** How long the set of origins is trusted before it is read again (bounds staleness across instances). */
const CACHE_TTL_MS = 30_000;

/**
 * Which browser origins may call the endpoints that serve clients, from the
 * clients' `allowed_cors_origins`. The set of every client's origins answers
 * preflights (they carry no credentials, so the client is not known yet); the
 * actual request is answered for the origins of the client it turns out to
 * involve. The set is cached and dropped whenever ClientsService writes a client.
 */
@Injectable()
export class CorsService {
  private cached: { readonly origins: ReadonlySet<string>; readonly until: number } | undefined;
  private loading: Promise<ReadonlySet<string>> | undefined;
  /** Counts invalidations, so that a read begun before a write does not repopulate the cache. */
  private generation = 0;

  constructor(
    @InjectRepository(ClientEntity) private readonly repository: Repository<ClientEntity>,
  ) {}

  /** Whether some client lists the origin in its allowed_cors_origins. */
  async isAllowedByAnyClient(origin: string): Promise<boolean> {
    return (await this.allOrigins()).has(origin);
  }

  /**
   * Whether the client the request involves (the authenticated client, or the
   * access token's client) allows the origin; undefined while no client is known.
   */
  isAllowedByRequestClient(request: FastifyRequest, origin: string): boolean | undefined {
    const client = request.oauthClient ?? request.tokenClient;
    return client === undefined ? undefined : client.metadata.allowed_cors_origins.includes(origin);
  }

  /** Drops the cached set; ClientsService calls it after every write of a client. */
  invalidate(): void {
    this.generation += 1;
    this.cached = undefined;
    this.loading = undefined;
  }

  private allOrigins(): Promise<ReadonlySet<string>> {
    if (this.cached !== undefined && this.cached.until > Date.now()) {
      return Promise.resolve(this.cached.origins);
    }
    // Concurrent requests share one read.
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<ReadonlySet<string>> {
    const generation = this.generation;
    try {
      const rows = await this.repository.find({ select: { clientId: true, metadata: true } });
      const origins = new Set(rows.flatMap((row) => row.metadata.allowed_cors_origins ?? []));
      if (generation === this.generation) {
        this.cached = { origins, until: Date.now() + CACHE_TTL_MS };
      }
      return origins;
    } finally {
      if (generation === this.generation) this.loading = undefined;
    }
  }
}
