import { ClientEntity } from '../clients/client.entity.js';
import { SigningKeyEntity } from '../keys/signing-key.entity.js';
import { PersistedGrantEntity } from '../tokens/persisted-grant.entity.js';
import { TrustedIssuerEntity } from '../trust/trusted-issuer.entity.js';
import { UserEntity } from '../users/user.entity.js';

/** Every entity, listed (not globbed) so that the app, the CLI and Vitest see the same set. */
export const ENTITIES = [
  ClientEntity,
  UserEntity,
  SigningKeyEntity,
  PersistedGrantEntity,
  TrustedIssuerEntity,
];
