import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { ProblemError } from '../common/problem/problem.error.js';
import { decodeCursor, encodeCursor } from '../common/problem/cursor.js';
import { constantTimeEquals, randomHandle, sha256 } from '../common/crypto/secrets.js';
import { Client } from './client.js';
import {
  RECOVERABLE_SECRET_AUTH_METHODS,
  SECRET_AUTH_METHODS,
  type ClientMetadata,
} from './client-metadata.js';
import { KeysService } from '../keys/keys.service.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import { ClientEntity } from './client.entity.js';
import { ClientMetadataValidator } from './client-metadata.validator.js';
import { isStorableText } from '../database/storable-text.js';
import { CorsService } from './cors.service.js';
import { InvalidationBus } from '../shared-state/invalidation-bus.js';

/** A client as written: the stored client and, when one was generated, the secret to show once. */
export interface ClientWriteResult {
  readonly client: Client;
  readonly clientSecret?: string;
}

export interface ClientPage {
  readonly items: Client[];
  readonly nextCursor: string | undefined;
}

/**
 * How long a cached client is trusted before it is read again. Other
 * instances drop it at once when told through the invalidation bus (Redis);
 * this bounds staleness when a message cannot get through.
 */
const CACHE_TTL_MS = 30_000;

/** The client store: registration, lookup (cached), secrets. */
@Injectable()
export class ClientsService implements OnModuleInit {
  private readonly cache = new Map<string, { client: Client; until: number }>();

  constructor(
    @InjectRepository(ClientEntity) private readonly repository: Repository<ClientEntity>,
    private readonly validator: ClientMetadataValidator,
    private readonly cors: CorsService,
    private readonly keys: KeysService,
    private readonly bus: InvalidationBus,
  ) {}

  onModuleInit(): void {
    // Another instance changed a client (undefined: any client may have changed).
    this.bus.subscribe('clients', (clientId) => {
      if (clientId === undefined) this.cache.clear();
      else this.cache.delete(clientId);
      this.cors.invalidate();
    });
  }

  async find(clientId: string): Promise<Client | undefined> {
    return (await this.lookup(clientId)).client;
  }

  /** find(), telling whether the answer came from the cache (no database read). */
  async lookup(clientId: string): Promise<{ client: Client | undefined; cached: boolean }> {
    const cached = this.cache.get(clientId);
    if (cached !== undefined && cached.until > Date.now()) {
      return { client: cached.client, cached: true };
    }
    return { client: await this.reload(clientId), cached: false };
  }

  /**
   * Reads a client from the database (and refreshes the cache). Client
   * authentication calls it when an attempt against a cached client fails:
   * the secret may have changed on another instance, and the failure then
   * costs the one database read that an unknown client's costs, so that
   * timing does not tell whether a client exists.
   */
  async reload(clientId: string): Promise<Client | undefined> {
    const now = Date.now();
    const entity = isStorableText(clientId) ? await this.repository.findOneBy({ clientId }) : null;
    if (entity === null) {
      this.cache.delete(clientId);
      return undefined;
    }
    const client = toClient(entity);
    this.cache.set(clientId, { client, until: now + CACHE_TTL_MS });
    return client;
  }

  secretMatches(client: Client, presented: string): boolean {
    return client.secretHash !== null && constantTimeEquals(sha256(presented), client.secretHash);
  }

  /** The secret of a client_secret_jwt client (its HMAC key), decrypted; undefined for others. */
  hmacSecret(client: Client): string | undefined {
    return client.sealedSecret === null ? undefined : this.keys.openSecret(client.sealedSecret);
  }

  async list(limit: number, cursor: string | undefined): Promise<ClientPage> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const entities = await this.repository.find({
      where: after === undefined ? {} : { clientId: MoreThan(after) },
      order: { clientId: 'ASC' },
      take: limit + 1,
    });
    const items = entities.slice(0, limit).map(toClient);
    const last = items.at(-1);
    return {
      items,
      nextCursor: entities.length > limit && last ? encodeCursor(last.clientId) : undefined,
    };
  }

  async get(clientId: string): Promise<Client> {
    const entity = isStorableText(clientId) ? await this.repository.findOneBy({ clientId }) : null;
    if (entity === null) throw ProblemError.notFound(`no client "${clientId}"`);
    return toClient(entity);
  }

  async register(body: unknown, grantTypes: ReadonlySet<string>): Promise<ClientWriteResult> {
    const { clientId: requestedId, metadata } = this.validator.validate(body, grantTypes);
    const clientId = requestedId ?? randomHandle().slice(0, 22);
    if (await this.repository.existsBy({ clientId })) {
      throw ProblemError.conflict(`a client "${clientId}" already exists`);
    }
    const secret = SECRET_AUTH_METHODS.has(metadata.token_endpoint_auth_method)
      ? randomHandle()
      : undefined;
    const now = Date.now();
    const entity = this.repository.create({
      clientId,
      secretHash: secret === undefined ? null : sha256(secret),
      encryptedSecret: this.sealIfRecoverable(metadata, secret),
      metadata,
      createdAt: now,
      updatedAt: now,
    });
    // The JSON column's type is too open for TypeORM's deep-partial typing; the entity is complete.
    try {
      await this.repository.insert(entity as QueryDeepPartialEntity<typeof entity>);
    } catch (error) {
      // Lost a race with another registration of the same client_id.
      if (isUniqueViolation(error))
        throw ProblemError.conflict(`a client "${clientId}" already exists`);
      throw error;
    }
    this.cors.invalidate();
    await this.bus.publish('clients', clientId);
    return { client: toClient(entity), clientSecret: secret };
  }

  /** PUT: the body is the whole new metadata. */
  async replace(
    clientId: string,
    body: unknown,
    grantTypes: ReadonlySet<string>,
  ): Promise<ClientWriteResult> {
    const existing = await this.loadEntity(clientId);
    const { clientId: bodyId, metadata } = this.validator.validate(body, grantTypes);
    if (bodyId !== undefined && bodyId !== clientId) {
      throw ProblemError.badRequest('client_id cannot be changed', [
        { pointer: '/client_id', detail: `must be "${clientId}" or absent` },
      ]);
    }
    return this.save(existing, metadata);
  }

  /** PATCH (RFC 7396 merge patch): given fields change, null resets a field to its default. */
  async update(
    clientId: string,
    patch: unknown,
    grantTypes: ReadonlySet<string>,
  ): Promise<ClientWriteResult> {
    const existing = await this.loadEntity(clientId);
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw ProblemError.badRequest('the body must be a JSON object of client metadata');
    }
    const merged: Record<string, unknown> = { ...existing.metadata };
    for (const [field, value] of Object.entries(patch)) {
      if (value === null) delete merged[field];
      else merged[field] = value;
    }
    // response_types were derived from grant_types when not given: derive them again.
    if ('grant_types' in patch && !('response_types' in patch)) delete merged.response_types;
    return this.replace(clientId, merged, grantTypes);
  }

  async rotateSecret(clientId: string): Promise<ClientWriteResult> {
    const entity = await this.loadEntity(clientId);
    if (!SECRET_AUTH_METHODS.has(entity.metadata.token_endpoint_auth_method)) {
      throw ProblemError.badRequest(
        `client "${clientId}" authenticates with ${entity.metadata.token_endpoint_auth_method} and has no secret`,
      );
    }
    const secret = randomHandle();
    entity.secretHash = sha256(secret);
    entity.encryptedSecret = this.sealIfRecoverable(entity.metadata, secret);
    entity.updatedAt = Date.now();
    await this.repository.save(entity, { transaction: false });
    this.cache.delete(clientId);
    await this.bus.publish('clients', clientId);
    return { client: toClient(entity), clientSecret: secret };
  }

  /** Sets (or replaces) a client's secret to a given value: only for the bootstrap admin client. */
  async setSecret(clientId: string, secret: string): Promise<void> {
    await this.repository.update(
      { clientId },
      { secretHash: sha256(secret), encryptedSecret: null, updatedAt: Date.now() },
    );
    this.cache.delete(clientId);
    await this.bus.publish('clients', clientId);
  }

  async delete(clientId: string): Promise<void> {
    if (!isStorableText(clientId)) throw ProblemError.notFound(`no client "${clientId}"`);
    const result = await this.repository.delete({ clientId });
    this.cache.delete(clientId);
    this.cors.invalidate();
    await this.bus.publish('clients', clientId);
    if (!result.affected) throw ProblemError.notFound(`no client "${clientId}"`);
  }

  /** The encrypted secret to keep for client_secret_jwt clients; null for every other method. */
  private sealIfRecoverable(metadata: ClientMetadata, secret: string | undefined): string | null {
    return secret !== undefined &&
      RECOVERABLE_SECRET_AUTH_METHODS.has(metadata.token_endpoint_auth_method)
      ? this.keys.sealSecret(secret)
      : null;
  }

  private async loadEntity(clientId: string): Promise<ClientEntity> {
    const entity = isStorableText(clientId) ? await this.repository.findOneBy({ clientId }) : null;
    if (entity === null) throw ProblemError.notFound(`no client "${clientId}"`);
    return entity;
  }

  /**
   * Saves without a transaction (one row, one statement): on SQLite's one
   * connection a transaction would take in other requests' statements
   * between its awaits, and undo them on a rollback.
   */
  private async save(entity: ClientEntity, metadata: ClientMetadata): Promise<ClientWriteResult> {
    const needsSecret = SECRET_AUTH_METHODS.has(metadata.token_endpoint_auth_method);
    const recoverable = RECOVERABLE_SECRET_AUTH_METHODS.has(metadata.token_endpoint_auth_method);
    // Only the hash of an existing secret is known: a client moving to client_secret_jwt gets a new one.
    const missing = entity.secretHash === null || (recoverable && entity.encryptedSecret === null);
    const secret = needsSecret && missing ? randomHandle() : undefined;
    if (!needsSecret) entity.secretHash = null;
    if (!recoverable) entity.encryptedSecret = null;
    if (secret !== undefined) {
      entity.secretHash = sha256(secret);
      entity.encryptedSecret = this.sealIfRecoverable(metadata, secret);
    }
    entity.metadata = metadata;
    entity.updatedAt = Date.now();
    await this.repository.save(entity, { transaction: false });
    this.cache.delete(entity.clientId);
    this.cors.invalidate();
    await this.bus.publish('clients', entity.clientId);
    return { client: toClient(entity), clientSecret: secret };
  }
}

function toClient(entity: ClientEntity): Client {
  return new Client(
    entity.clientId,
    entity.secretHash,
    entity.metadata,
    entity.createdAt,
    entity.encryptedSecret,
  );
}
