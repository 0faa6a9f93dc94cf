import { Injectable } from '@nestjs/common';
import { timeOrderedId } from '../common/crypto/time-ordered-id.js';
import { PersistedGrantStore } from '../tokens/persisted-grant.store.js';

/** A remembered consent lasts a year, then the user is asked again. */
const CONSENT_TTL_MS = 365 * 24 * 3600 * 1000;

/** The store handle of a user's consent to a client: one row per pair. */
export function consentHandle(subject: string, clientId: string): string {
  return `consent:${subject}:${clientId}`;
}

/** The scopes a user has allowed a client, remembered per client. */
@Injectable()
export class ConsentService {
  constructor(private readonly store: PersistedGrantStore) {}

  async grantedScopes(subject: string, clientId: string): Promise<ReadonlySet<string>> {
    const row = await this.store.findByHandle(consentHandle(subject, clientId), 'consent');
    if (row === null || row.expiresAt <= Date.now()) return new Set();
    return new Set((row.payload.scopes as string[] | undefined) ?? []);
  }

  /** Adds scopes to what the user allowed the client. */
  async grant(subject: string, clientId: string, scopes: readonly string[]): Promise<void> {
    const handle = consentHandle(subject, clientId);
    const row = await this.store.findByHandle(handle, 'consent');
    const expiresAt = Date.now() + CONSENT_TTL_MS;
    if (row === null) {
      await this.store.add({
        type: 'consent',
        handle,
        clientId,
        subject,
        familyId: timeOrderedId(),
        expiresAt,
        payload: { scopes: [...new Set(scopes)] },
      });
      return;
    }
    const previous = (row.payload.scopes as string[] | undefined) ?? [];
    await this.store.update(row.id, {
      payload: { scopes: [...new Set([...previous, ...scopes])] },
      expiresAt,
    });
  }
}
