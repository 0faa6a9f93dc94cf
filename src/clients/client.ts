import type { ClientMetadata } from './client-metadata.js';

/** A registered client as the protocol code sees it: metadata plus the sets it is checked against. */
export class Client {
  readonly grantTypes: ReadonlySet<string>;
  readonly scopes: ReadonlySet<string>;

  constructor(
    readonly clientId: string,
    /** SHA-256 of the secret; null for public clients. */
    readonly secretHash: string | null,
    readonly metadata: Readonly<ClientMetadata>,
    readonly createdAt: number,
    /**
     * client_secret_jwt only: the secret, encrypted at rest (KeysService.sealSecret),
     * since HMACs are checked with the secret itself; null otherwise.
     */
    readonly sealedSecret: string | null = null,
  ) {
    this.grantTypes = new Set(metadata.grant_types);
    this.scopes = new Set(metadata.scope.split(' ').filter((scope) => scope !== ''));
  }

  get authMethod(): string {
    return this.metadata.token_endpoint_auth_method;
  }

  get isPublic(): boolean {
    return this.metadata.token_endpoint_auth_method === 'none';
  }
}
