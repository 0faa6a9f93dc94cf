import { Injectable } from '@nestjs/common';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { ASYMMETRIC_JWS_ALGORITHMS, isHmacAlgorithm } from '../../trust/jws-algorithms.js';
import { JwksResolver } from '../../trust/jwks-resolver.js';
import { JwtAssertionVerifier } from '../../trust/jwt-assertion.verifier.js';
import type { Client } from '../client.js';
import { ClientsService } from '../clients.service.js';
import { ClientAuthenticationMethod } from './client-authentication-method.decorator.js';
import { JwtClientAuthenticator } from './jwt-client-authenticator.js';

/**
 * private_key_jwt (OpenID Connect Core §9, RFC 7523 §2.2): a JWT signed with
 * a private key whose public part the client registered (jwks or jwks_uri).
 * Every client assertion not signed with an HMAC is this method's to judge.
 */
@ClientAuthenticationMethod()
@Injectable()
export class PrivateKeyJwtAuthenticator extends JwtClientAuthenticator {
  readonly method = 'private_key_jwt';
  readonly signingAlgorithms = ASYMMETRIC_JWS_ALGORITHMS;

  constructor(
    clients: ClientsService,
    verifier: JwtAssertionVerifier,
    private readonly jwks: JwksResolver,
  ) {
    super(clients, verifier);
  }

  protected handlesAlgorithm(alg: string | undefined): boolean {
    return !isHmacAlgorithm(alg);
  }

  protected keysFor(client: Client): JWTVerifyGetKey | undefined {
    const { jwks, jwks_uri: jwksUri } = client.metadata;
    if (jwks === undefined && jwksUri === undefined) return undefined;
    return this.jwks.keysFor(client, { jwks: jwks as unknown as JSONWebKeySet, jwksUri });
  }
}
