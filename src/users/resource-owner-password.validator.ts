import type { Client } from '../clients/client.js';
import type { UserClaims } from './user-claims.js';

/** Who the password grant's credentials belong to. */
export interface ResourceOwner {
  /** The subject identifier that tokens will carry in `sub`. */
  readonly subject: string;
  readonly username: string;
  readonly claims?: UserClaims;
}

/**
 * Checks the username and password of the resource owner password grant
 * (RFC 6749 §4.3). This abstract class is its own DI token: an application
 * replaces the default (the local user table) with, say, an LDAP check via
 * `AppModule.forRoot({ passwordValidator: MyValidator })`.
 */
export abstract class ResourceOwnerPasswordValidator {
  /** The resource owner, or undefined when the credentials are wrong. Never throws for bad credentials. */
  abstract validate(
    username: string,
    password: string,
    client: Client,
  ): Promise<ResourceOwner | undefined>;
}
