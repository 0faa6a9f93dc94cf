import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { timeOrderedId } from '../common/crypto/time-ordered-id.js';
import { MoreThan, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { driverHandle } from '../database/driver-handles.js';
import type { GrantRows, RawGrantRow } from './grant-rows.js';
import { PooledGrantRows } from './pooled-grant-rows.js';
import { SqliteGrantRows } from './sqlite-grant-rows.js';
import { grantKey } from './grant-handle.js';
import { PersistedGrantEntity } from './persisted-grant.entity.js';

/** The kinds of item the store holds. */
export type PersistedGrantType =
  | 'refresh_token'
  | 'access_token'
  | 'revoked_jwt'
  /**
   * A JWT access token issued in a family with no row to record it on (a
   * refresh of a client that reuses refresh tokens), kept until it expires
   * so that revoking the family revokes it.
   */
  | 'issued_jwt'
  | 'authorization_code'
  | 'session'
  | 'interaction'
  | 'consent'
  /** RFC 7523: a used assertion's `${iss}:${jti}`, kept until the assertion expires (replay). */
  | 'assertion_jti'
  /** RFC 8628: a device authorization, found by its device_code. */
  | 'device_code'
  /** RFC 8628: the same authorization's user code, found by the code the user types. */
  | 'device_user_code';

/** What consuming a row also changes: its payload, and optionally its expiry. */
export interface ConsumeChange {
  readonly payload: Record<string, unknown>;
  /** Epoch ms: e.g. kept until the access token recorded in the payload has expired. */
  readonly expiresAt?: number;
}

export interface NewPersistedGrant {
  readonly type: PersistedGrantType;
  /** The secret handle; only its key (grantKey: a SHA-256, for newGrantHandle's handles after their issue time) is stored. */
  readonly handle: string;
  readonly clientId: string;
  readonly subject: string | null;
  readonly familyId: string;
  readonly expiresAt: number;
  readonly payload: Record<string, unknown>;
}

function toEntity(grant: NewPersistedGrant, now: number): PersistedGrantEntity {
  const entity = new PersistedGrantEntity();
  entity.id = timeOrderedId(now);
  entity.type = grant.type;
  entity.handleHash = grantKey(grant.handle);
  entity.clientId = grant.clientId;
  entity.subject = grant.subject;
  entity.familyId = grant.familyId;
  entity.createdAt = now;
  entity.expiresAt = grant.expiresAt;
  entity.consumedAt = null;
  entity.payload = grant.payload;
  return entity;
}

function fromRaw(row: RawGrantRow): PersistedGrantEntity {
  const entity = new PersistedGrantEntity();
  entity.id = String(row.id);
  entity.type = String(row.type);
  entity.handleHash = String(row.handle_hash);
  entity.clientId = String(row.client_id);
  entity.subject = row.subject === null ? null : String(row.subject);
  entity.familyId = String(row.family_id);
  entity.createdAt = Number(row.created_at);
  entity.expiresAt = Number(row.expires_at);
  entity.consumedAt = row.consumed_at === null ? null : Number(row.consumed_at);
  entity.payload = JSON.parse(String(row.payload)) as Record<string, unknown>;
  return entity;
}

/**
 * Everything short-lived a flow leaves behind, one row each, found by its
 * handle's key (grantKey: the SHA-256, after the issue time for the handles
 * newGrantHandle makes). Consuming is one conditional UPDATE (on PostgreSQL
 * one per event-loop turn for all rows consumed in it), so of two racing
 * redemptions exactly one wins.
 */
@Injectable()
export class PersistedGrantStore {
  private readonly rows: GrantRows;

  constructor(
    @InjectRepository(PersistedGrantEntity)
    private readonly repository: Repository<PersistedGrantEntity>,
  ) {
    const handle = driverHandle(repository.manager.connection);
    this.rows =
      handle.kind === 'sqlite'
        ? new SqliteGrantRows(handle.connection)
        : new PooledGrantRows(handle.pool);
  }

  /** Inserts one row: with findByHandle, the hot path of reference tokens, refresh tokens and codes. */
  async add(grant: NewPersistedGrant, now: number = Date.now()): Promise<PersistedGrantEntity> {
    const entity = toEntity(grant, now);
    await this.rows.insert([
      entity.id,
      entity.type,
      entity.handleHash,
      entity.clientId,
      entity.subject,
      entity.familyId,
      entity.createdAt,
      entity.expiresAt,
      entity.consumedAt,
      JSON.stringify(entity.payload),
    ]);
    return entity;
  }

  /** The row of a handle, whatever its state; callers judge expiry and consumption. */
  async findByHandle(
    handle: string,
    type: PersistedGrantType,
  ): Promise<PersistedGrantEntity | null> {
    const row = await this.rows.selectByHash(grantKey(handle));
    return row !== undefined && row.type === type ? fromRaw(row) : null;
  }

  /**
   * Rotation: adds the replacement, then consumes the old row with one
   * conditional UPDATE (replacing its payload, when one is given); when another request consumed it first, the
   * replacement is deleted again and false comes back. The replacement
   * exists before the old row is consumed, so a racing request that finds
   * the old row consumed and revokes the family removes the replacement too.
   * (No transaction: TypeORM shares one connection for SQLite, where
   * overlapping transactions would nest into each other.)
   */
  async exchange(
    id: string,
    replacement: NewPersistedGrant,
    now: number = Date.now(),
    change?: ConsumeChange,
  ): Promise<boolean> {
    const added = await this.add(replacement, now);
    if (await this.consume(id, now, change)) return true;
    await this.delete(added.id);
    return false;
  }

  /**
   * Marks an unconsumed, unexpired row consumed, optionally replacing its
   * payload and expiry in the same statement; false when another request got
   * there first.
   */
  async consume(id: string, now: number, change?: ConsumeChange): Promise<boolean> {
    return this.rows.consume({
      id,
      now,
      payload: change === undefined ? null : JSON.stringify(change.payload),
      expiresAt: change?.expiresAt ?? null,
    });
  }

  async update(
    id: string,
    changes: { payload?: Record<string, unknown>; expiresAt?: number; subject?: string },
  ): Promise<void> {
    await this.repository.update(id, changes as QueryDeepPartialEntity<PersistedGrantEntity>);
  }

  async extend(id: string, expiresAt: number): Promise<void> {
    await this.repository.update({ id }, { expiresAt });
  }

  async delete(id: string): Promise<void> {
    await this.rows.deleteMatching({ id });
  }

  /**
   * Deletes every row one authorization produced, in one statement, and
   * returns them: a consume that comes after it finds its row gone, one that
   * came before is in what it returns.
   */
  async takeFamily(familyId: string): Promise<PersistedGrantEntity[]> {
    return (await this.rows.takeFamily(familyId)).map(fromRaw);
  }

  /** Deletes every row one authorization produced (TokenFamilies.revoke also revokes its JWTs). */
  async revokeFamily(familyId: string): Promise<void> {
    await this.rows.deleteMatching({ familyId });
  }

  async revokeClient(clientId: string): Promise<void> {
    await this.rows.deleteMatching({ clientId });
  }

  async revokeSubject(subject: string): Promise<void> {
    await this.rows.deleteMatching({ subject });
  }

  /** The unexpired rows of one type for one subject (e.g. a user's consents), oldest first. */
  findBySubject(
    type: PersistedGrantType,
    subject: string,
    now: number = Date.now(),
  ): Promise<PersistedGrantEntity[]> {
    return this.repository.find({
      where: { type, subject, expiresAt: MoreThan(now) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /**
   * Deletes, in one statement, the rows of the given types that one client
   * holds for one subject (e.g. a consent with the tokens it led to); returns
   * how many went.
   */
  async revokeSubjectClient(
    subject: string,
    clientId: string,
    types: readonly PersistedGrantType[],
  ): Promise<number> {
    if (types.length === 0) return 0;
    return this.rows.deleteMatching({ subject, clientId, types });
  }

  /** Deletes up to `batch` expired rows in one statement; returns how many went. */
  async sweepExpired(batch: number, now: number = Date.now()): Promise<number> {
    return this.rows.deleteExpired(now, batch);
  }
}
