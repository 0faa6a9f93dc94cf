import { DiscoveryService } from '@nestjs/core';
import type { Client } from '../../clients/client.js';
import type { UserEntity } from '../../users/user.entity.js';
import type { AuthorizationRequest } from '../authorization-request.js';

/** Who authorized what: everything a response part needs to mint its piece. */
export interface AuthorizationContext {
  readonly client: Client;
  readonly request: AuthorizationRequest;
  readonly user: UserEntity;
  /** Epoch seconds of the user's authentication. */
  readonly authTime: number;
  /** The session id. */
  readonly sid: string;
}

/**
 * One word of a response type (`code`, `token`, `id_token`), adding its
 * parameters to the authorization response. Parts run in ascending `order`,
 * so id_token comes last and can hash what the others issued.
 */
export interface ResponsePart {
  readonly word: string;
  readonly order: number;
  contribute(context: AuthorizationContext, response: Record<string, string>): Promise<void>;
}

/** Marks a provider as a ResponsePart for the ResponseTypeRegistry. */
export const ResponseTypePart = DiscoveryService.createDecorator<void>();
