import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { compactVerify, errors as joseErrors, type JWSHeaderParameters } from 'jose';
import type { Client } from '../clients/client.js';
import { epochSeconds } from '../common/time.js';
import { serverConfig } from '../config/server.config.js';
import { signCompactJws } from '../keys/jws-signer.js';
import { KeysService } from '../keys/keys.service.js';
import { leftHalfHash } from './token-hash.js';

/** ID tokens live an hour; end_session accepts them as hints even after that. */
export const ID_TOKEN_TTL_SECONDS = 3600;

export interface IdTokenContent {
  readonly subject: string;
  readonly nonce?: string;
  readonly authTime?: number;
  /** The session id (OpenID Connect Front-Channel Logout §3, used by RP-initiated logout). */
  readonly sid?: string;
  /** Issued in the same response: its at_hash goes in. */
  readonly accessToken?: string;
  /** Issued in the same response: its c_hash goes in. */
  readonly code?: string;
  /** User claims to carry in the ID token itself (when no access token is issued). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** ID tokens (OpenID Connect Core §2), signed with the client's id_token_signed_response_alg. */
@Injectable()
export class IdTokenService {
  constructor(
    private readonly keys: KeysService,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
  ) {}

  issue(client: Client, content: IdTokenContent): Promise<string> {
    const iat = epochSeconds();
    const payload: Record<string, unknown> = {
      ...content.claims,
      iss: this.server.issuer,
      sub: content.subject,
      aud: client.clientId,
      iat,
      exp: iat + ID_TOKEN_TTL_SECONDS,
    };
    if (content.authTime !== undefined) payload.auth_time = content.authTime;
    if (content.nonce !== undefined) payload.nonce = content.nonce;
    if (content.sid !== undefined) payload.sid = content.sid;
    if (content.accessToken !== undefined) payload.at_hash = leftHalfHash(content.accessToken);
    if (content.code !== undefined) payload.c_hash = leftHalfHash(content.code);
    const alg = client.metadata.id_token_signed_response_alg;
    const key = this.keys.signingKey(alg);
    return signCompactJws({ alg, kid: key.kid, typ: 'JWT' }, payload, alg, key.privateKey);
  }

  /**
   * The claims of an ID token this service signed, expired or not (an
   * id_token_hint may have expired, RP-Initiated Logout §2); undefined when
   * the signature or issuer is wrong.
   */
  async verifyHint(token: string): Promise<{ sub: string; aud: string; sid?: string } | undefined> {
    try {
      const { payload } = await compactVerify(token, (header: JWSHeaderParameters) => {
        const found = header.kid === undefined ? undefined : this.keys.verificationKey(header.kid);
        if (found === undefined || found.alg !== header.alg)
          throw new joseErrors.JWKSNoMatchingKey();
        return found.key;
      });
      const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
      if (claims.iss !== this.server.issuer || typeof claims.sub !== 'string') return undefined;
      const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
      if (typeof aud !== 'string') return undefined;
      return { sub: claims.sub, aud, sid: typeof claims.sid === 'string' ? claims.sid : undefined };
    } catch {
      return undefined;
    }
  }
}
