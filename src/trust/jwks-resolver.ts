import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors as joseErrors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';

export interface JwksResolverOptions {
  /** Time limit of one jwks_uri fetch. */
  readonly timeoutMs: number;
  /** A fetched JWKS is used this long before it is fetched again. */
  readonly cacheMaxAgeMs: number;
  /** An unknown kid refetches the JWKS, but not more often than this (a floor against floods). */
  readonly cooldownMs: number;
  /** Largest JWKS document accepted. */
  readonly maxBytes: number;
  /** The fetch to use (tests); the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

export const JWKS_RESOLVER_OPTIONS = Symbol('JWKS_RESOLVER_OPTIONS');

const DEFAULTS: JwksResolverOptions = {
  timeoutMs: 5_000,
  cacheMaxAgeMs: 10 * 60_000,
  cooldownMs: 30_000,
  maxBytes: 256 * 1024,
};
/** Remote key sets remembered at once; the oldest is dropped beyond this. */
const MAX_REMOTE_SETS = 1_000;

/** Where a party's verification keys are: inline or at a URL (exactly one). */
export interface KeySource {
  readonly jwks?: JSONWebKeySet | null;
  readonly jwksUri?: string | null;
}

/**
 * The key lookup of a party (a trusted issuer, a client) for jose's
 * jwtVerify. Inline sets are built once per owner object (a cached record);
 * jwks_uri sets are shared per URL: fetched with a timeout and a size limit,
 * cached, refetched when a JWT names an unknown kid, at most once per cooldown.
 */
@Injectable()
export class JwksResolver {
  private readonly options: JwksResolverOptions;
  private readonly inline = new WeakMap<object, JWTVerifyGetKey>();
  private readonly remote = new Map<string, JWTVerifyGetKey>();

  constructor(@Optional() @Inject(JWKS_RESOLVER_OPTIONS) options?: Partial<JwksResolverOptions>) {
    this.options = { ...DEFAULTS, ...options };
  }

  keysFor(owner: object, source: KeySource): JWTVerifyGetKey {
    if (source.jwksUri) return this.remoteSet(source.jwksUri);
    let keys = this.inline.get(owner);
    if (keys === undefined) {
      keys = createLocalJWKSet(source.jwks ?? { keys: [] });
      this.inline.set(owner, keys);
    }
    return keys;
  }

  private remoteSet(uri: string): JWTVerifyGetKey {
    const known = this.remote.get(uri);
    if (known !== undefined) return known;
    if (this.remote.size >= MAX_REMOTE_SETS) {
      this.remote.delete(this.remote.keys().next().value!);
    }
    const keys = createRemoteJWKSet(new URL(uri), {
      timeoutDuration: this.options.timeoutMs,
      cacheMaxAge: this.options.cacheMaxAgeMs,
      cooldownDuration: this.options.cooldownMs,
      [customFetch]: (url: string, init: RequestInit) => this.fetchLimited(url, init),
    });
    this.remote.set(uri, keys);
    return keys;
  }

  /** A fetch whose body is read up to maxBytes; a larger answer fails like an unreachable one. */
  private async fetchLimited(url: string, init: RequestInit): Promise<Response> {
    const response = await (this.options.fetch ?? fetch)(url, init);
    if (response.body === null) return response;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > this.options.maxBytes) {
        throw new joseErrors.JOSEError(
          `the JWKS at ${url} is larger than ${this.options.maxBytes} bytes`,
        );
      }
      chunks.push(chunk);
    }
    return new Response(Buffer.concat(chunks), {
      status: response.status,
      headers: response.headers,
    });
  }
}
