import { Injectable } from '@nestjs/common';
import { timeOrderedId } from '../common/crypto/time-ordered-id.js';
import { newGrantHandle } from '../tokens/grant-handle.js';
import { PersistedGrantStore } from '../tokens/persisted-grant.store.js';
import type { AuthorizationRequest } from './authorization-request.js';

/** The user has this long to sign in and consent. */
const INTERACTION_TTL_MS = 10 * 60_000;

/** An authorization request waiting on the login or consent page. */
export interface Interaction {
  readonly id: string;
  /** The secret handle carried by the page's form. */
  readonly handle: string;
  readonly request: AuthorizationRequest;
  /** The browser's CSRF value the interaction is bound to. */
  readonly csrf: string;
  /** Set once the user signed in during this interaction (so prompt=login is satisfied). */
  readonly signedIn: boolean;
}

@Injectable()
export class InteractionService {
  constructor(private readonly store: PersistedGrantStore) {}

  async create(request: AuthorizationRequest, csrf: string): Promise<Interaction> {
    const handle = newGrantHandle();
    const row = await this.store.add({
      type: 'interaction',
      handle,
      clientId: request.clientId,
      subject: null,
      familyId: timeOrderedId(),
      expiresAt: Date.now() + INTERACTION_TTL_MS,
      payload: { request, csrf, signedIn: false },
    });
    return { id: row.id, handle, request, csrf, signedIn: false };
  }

  async find(handle: string): Promise<Interaction | undefined> {
    const row = await this.store.findByHandle(handle, 'interaction');
    if (row === null || row.expiresAt <= Date.now()) return undefined;
    const payload = row.payload as {
      request: AuthorizationRequest;
      csrf: string;
      signedIn: boolean;
    };
    return { id: row.id, handle, ...payload };
  }

  async markSignedIn(interaction: Interaction): Promise<Interaction> {
    const { request, csrf } = interaction;
    await this.store.update(interaction.id, { payload: { request, csrf, signedIn: true } });
    return { ...interaction, signedIn: true };
  }

  async finish(interaction: Interaction): Promise<void> {
    await this.store.delete(interaction.id);
  }
}
