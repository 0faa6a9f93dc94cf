import { decodeJwt, decodeProtectedHeader, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { InvalidClientError } from '../../common/oauth/oauth-error.js';
import { InvalidAssertionError } from '../../trust/invalid-assertion.error.js';
import type { JwtAssertionVerifier } from '../../trust/jwt-assertion.verifier.js';
import type { Client } from '../client.js';
import type { ClientsService } from '../clients.service.js';
import type { ClientAuthenticator } from './client-authenticator.js';
import type { ClientAuthenticationInput } from './client-credentials.js';

/** RFC 7523 §2.2: the client_assertion_type of a JWT client assertion. */
export const JWT_CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * What private_key_jwt and client_secret_jwt share (RFC 7523 §2.2, §3;
 * OpenID Connect Core §9): `client_assertion_type` must be the JWT bearer
 * type; the assertion's iss and sub are the client_id; the client must be
 * registered for this method; the signature, audience (issuer, token
 * endpoint, or the URL of the endpoint called), times and single-use jti are
 * checked by JwtAssertionVerifier, with the client's
 * token_endpoint_auth_signing_alg when it registered one.
 */
export abstract class JwtClientAuthenticator implements ClientAuthenticator {
  abstract readonly method: string;
  abstract readonly signingAlgorithms: readonly string[];

  constructor(
    protected readonly clients: ClientsService,
    private readonly verifier: JwtAssertionVerifier,
  ) {}

  /** Whether an assertion signed with `alg` (undefined: unreadable) is this method's to judge. */
  protected abstract handlesAlgorithm(alg: string | undefined): boolean;

  /** The client's verification key(s); undefined when it has none (a failure). */
  protected abstract keysFor(client: Client): JWTVerifyGetKey | Uint8Array | undefined;

  /** Keys nobody holds, checked when the client has none to check with. */
  protected abstract decoyKeys(): Promise<JWTVerifyGetKey | Uint8Array>;

  presents(input: ClientAuthenticationInput): boolean {
    const { client_assertion: assertion, client_assertion_type: type } = input.params;
    if (assertion === undefined && type === undefined) return false;
    return this.handlesAlgorithm(headerAlgorithm(assertion));
  }

  async authenticate(input: ClientAuthenticationInput): Promise<Client> {
    const { client_assertion: assertion, client_assertion_type: type } = input.params;
    const refuse = (description: string, detail?: string) =>
      new InvalidClientError(description, { detail });
    if (type !== JWT_CLIENT_ASSERTION_TYPE) {
      throw refuse(`client_assertion_type must be ${JWT_CLIENT_ASSERTION_TYPE}`, `got ${type}`);
    }
    if (assertion === undefined) throw refuse('client_assertion is required');
    const claims = unverifiedClaims(assertion);
    if (claims === undefined) throw refuse('the client assertion is not a well-formed JWT');
    if (typeof claims.iss !== 'string' || claims.iss === '' || claims.sub !== claims.iss) {
      throw refuse(
        'the client assertion must have iss and sub both equal to the client_id',
        `iss ${String(claims.iss)} sub ${String(claims.sub)}`,
      );
    }
    const clientId = claims.iss;
    if (input.params.client_id !== undefined && input.params.client_id !== clientId) {
      throw refuse(
        'client_id does not match the client assertion',
        `client_id ${input.params.client_id} beside an assertion of ${clientId}`,
      );
    }
    const client = await this.clients.find(clientId);
    const problem =
      client === undefined
        ? `unknown client ${clientId}`
        : client.authMethod !== this.method
          ? `client ${clientId} is registered for ${client.authMethod}, not ${this.method}`
          : undefined;
    const keys = client === undefined || problem !== undefined ? undefined : this.keysFor(client);
    const registered = client?.metadata.token_endpoint_auth_signing_alg;
    try {
      // An unknown client, one of another method or without keys is checked against decoy keys:
      // the same path, the same time and the same refusal as a known client's bad signature,
      // so that the answer does not tell whether the client exists.
      await this.verifier.verifyClientAssertion(assertion, {
        clientId,
        keys: keys ?? (await this.decoyKeys()),
        algorithms:
          keys === undefined || registered === undefined ? this.signingAlgorithms : [registered],
        audiences: this.verifier.audiences(...(input.endpoint ? [input.endpoint] : [])),
      });
    } catch (error) {
      if (!(error instanceof InvalidAssertionError)) throw error;
      throw refuse(
        error.describe('client assertion'),
        `client ${clientId}: ${problem ?? (keys === undefined ? `no ${this.method} key` : (error.detail ?? ''))}`,
      );
    }
    if (client === undefined || keys === undefined) {
      throw refuse('client authentication failed', problem ?? `client ${clientId} has no key`);
    }
    return client;
  }
}

function headerAlgorithm(assertion: string | undefined): string | undefined {
  if (assertion === undefined) return undefined;
  try {
    return decodeProtectedHeader(assertion).alg;
  } catch {
    return undefined;
  }
}

function unverifiedClaims(assertion: string): JWTPayload | undefined {
  try {
    return decodeJwt(assertion);
  } catch {
    return undefined;
  }
}
