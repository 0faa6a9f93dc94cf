import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { HMAC_JWS_ALGORITHMS, isHmacAlgorithm } from '../../trust/jws-algorithms.js';
import { JwtAssertionVerifier } from '../../trust/jwt-assertion.verifier.js';
import type { Client } from '../client.js';
import { ClientsService } from '../clients.service.js';
import { ClientAuthenticationMethod } from './client-authentication-method.decorator.js';
import { JwtClientAuthenticator } from './jwt-client-authenticator.js';

/**
 * client_secret_jwt (OpenID Connect Core §9, RFC 7523 §2.2): a JWT with an
 * HMAC keyed by the UTF-8 octets of the client secret, which the service
 * keeps encrypted for these clients only. HMAC-signed assertions are this
 * method's to judge.
 */
@ClientAuthenticationMethod()
@Injectable()
export class ClientSecretJwtAuthenticator extends JwtClientAuthenticator {
  readonly method = 'client_secret_jwt';
  readonly signingAlgorithms = HMAC_JWS_ALGORITHMS;

  constructor(clients: ClientsService, verifier: JwtAssertionVerifier) {
    super(clients, verifier);
  }

  protected handlesAlgorithm(alg: string | undefined): boolean {
    return isHmacAlgorithm(alg);
  }

  private readonly decoy = new Uint8Array(randomBytes(32));

  protected decoyKeys(): Promise<Uint8Array> {
    return Promise.resolve(this.decoy);
  }

  protected keysFor(client: Client): Uint8Array | undefined {
    const secret = this.clients.hmacSecret(client);
    return secret === undefined ? undefined : new TextEncoder().encode(secret);
  }
}
