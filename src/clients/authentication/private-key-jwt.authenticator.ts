import { Injectable } from '@nestjs/common';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { randomUUID } from 'node:crypto';
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

  private decoy: Promise<JWTVerifyGetKey> | undefined;

  /** One throwaway key of each type a client may register (RSA, EC, OKP), made on first use. */
  protected decoyKeys(): Promise<JWTVerifyGetKey> {
    this.decoy ??= Promise.all(
      (['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const).map(async (alg) => {
        const { publicKey } = await generateKeyPair(alg, { extractable: true });
        // No alg on the JWK: the RSA key stands for RS* and PS* alike.
        return { ...(await exportJWK(publicKey)), use: 'sig', kid: randomUUID() };
      }),
    ).then((keys) => createLocalJWKSet({ keys }));
    return this.decoy;
  }

  protected keysFor(client: Client): JWTVerifyGetKey | undefined {
    const { jwks, jwks_uri: jwksUri } = client.metadata;
    if (jwks === undefined && jwksUri === undefined) return undefined;
    return this.jwks.keysFor(client, { jwks: jwks as unknown as JSONWebKeySet, jwksUri });
  }
}
