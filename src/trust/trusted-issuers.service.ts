import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { JSONWebKeySet } from 'jose';
import { randomUUID } from 'node:crypto';
import { MoreThan, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { httpsUrlProblem } from '../clients/redirect-uri.rules.js';
import { decodeCursor, encodeCursor } from '../common/problem/cursor.js';
import { ProblemError, type ProblemFieldError } from '../common/problem/problem.error.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import { InvalidationBus } from '../shared-state/invalidation-bus.js';
import { publicJwksProblem } from './jwks.rules.js';
import type { CreateTrustedIssuerDto } from './trusted-issuer.dto.js';
import { isStorableText } from '../database/storable-text.js';
import { TrustedIssuerEntity } from './trusted-issuer.entity.js';

export interface TrustedIssuerPage {
  readonly items: TrustedIssuerEntity[];
  readonly nextCursor: string | undefined;
}

/**
 * How long a looked-up issuer is trusted before it is read again. Other
 * instances drop it at once when told through the invalidation bus (Redis);
 * this bounds staleness when a message cannot get through.
 */
const CACHE_TTL_MS = 30_000;

/** The trusted issuers of JWT assertions: administration and (cached) lookup by `iss`. */
@Injectable()
export class TrustedIssuersService implements OnModuleInit {
  private readonly cache = new Map<string, { issuer: TrustedIssuerEntity | null; until: number }>();

  constructor(
    @InjectRepository(TrustedIssuerEntity)
    private readonly repository: Repository<TrustedIssuerEntity>,
    private readonly bus: InvalidationBus,
  ) {}

  onModuleInit(): void {
    // Another instance changed a trusted issuer (undefined: any may have changed).
    this.bus.subscribe('trusted-issuers', (issuer) => {
      if (issuer === undefined) this.cache.clear();
      else this.cache.delete(issuer);
    });
  }

  /** The trusted issuer whose JWTs carry this `iss`, or undefined. */
  async findByIssuer(issuer: string): Promise<TrustedIssuerEntity | undefined> {
    const now = Date.now();
    const cached = this.cache.get(issuer);
    if (cached !== undefined && cached.until > now) return cached.issuer ?? undefined;
    const found = isStorableText(issuer) ? await this.repository.findOneBy({ issuer }) : null;
    // Unknown issuers are cached too, so that junk assertions cost no query each; bounded.
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(issuer, { issuer: found, until: now + CACHE_TTL_MS });
    return found ?? undefined;
  }

  async create(input: CreateTrustedIssuerDto): Promise<TrustedIssuerEntity> {
    const errors = keySourceProblems(input);
    if (errors.length > 0) throw ProblemError.badRequest('invalid trusted issuer', errors);
    const conflict = () => ProblemError.conflict(`issuer "${input.issuer}" is already trusted`);
    if (await this.repository.existsBy({ issuer: input.issuer })) throw conflict();
    const entity = this.repository.create({
      id: randomUUID(),
      issuer: input.issuer,
      jwks: (input.jwks as unknown as JSONWebKeySet | undefined) ?? null,
      jwksUri: input.jwks_uri ?? null,
      allowedSubjects: input.allowed_subjects === undefined ? null : unique(input.allowed_subjects),
      allowedScopes: input.allowed_scopes === undefined ? null : unique(input.allowed_scopes),
      createdAt: Date.now(),
    });
    try {
      // The JSON columns' types are too open for TypeORM's deep-partial typing; the entity is complete.
      await this.repository.insert(entity as QueryDeepPartialEntity<typeof entity>);
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict();
      throw error;
    }
    this.cache.delete(entity.issuer);
    await this.bus.publish('trusted-issuers', entity.issuer);
    return entity;
  }

  /**
   * Configuration import: the issuer as given, created or changed in place
   * (its id stays). Whether anything changed is the answer.
   */
  async upsert(input: CreateTrustedIssuerDto): Promise<'created' | 'updated' | 'unchanged'> {
    const existing = await this.repository.findOneBy({ issuer: input.issuer });
    if (existing === null) {
      await this.create(input);
      return 'created';
    }
    const errors = keySourceProblems(input);
    if (errors.length > 0) throw ProblemError.badRequest('invalid trusted issuer', errors);
    const fields = {
      jwks: (input.jwks as unknown as JSONWebKeySet | undefined) ?? null,
      jwksUri: input.jwks_uri ?? null,
      allowedSubjects: input.allowed_subjects === undefined ? null : unique(input.allowed_subjects),
      allowedScopes: input.allowed_scopes === undefined ? null : unique(input.allowed_scopes),
    };
    const same = (Object.keys(fields) as (keyof typeof fields)[]).every(
      (key) => JSON.stringify(existing[key]) === JSON.stringify(fields[key]),
    );
    if (same) return 'unchanged';
    await this.repository.update(
      { id: existing.id },
      fields as QueryDeepPartialEntity<TrustedIssuerEntity>,
    );
    this.cache.delete(existing.issuer);
    return 'updated';
  }

  async list(limit: number, cursor: string | undefined): Promise<TrustedIssuerPage> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const entities = await this.repository.find({
      where: after === undefined ? {} : { id: MoreThan(after) },
      order: { id: 'ASC' },
      take: limit + 1,
    });
    const items = entities.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: entities.length > limit && last ? encodeCursor(last.id) : undefined,
    };
  }

  async delete(id: string): Promise<void> {
    const entity = isStorableText(id) ? await this.repository.findOneBy({ id }) : null;
    if (entity === null) throw ProblemError.notFound(`no trusted issuer "${id}"`);
    await this.repository.delete({ id });
    this.cache.delete(entity.issuer);
    await this.bus.publish('trusted-issuers', entity.issuer);
  }
}

/** Exactly one of jwks (public keys) and jwks_uri (https, or http on loopback). */
export function keySourceProblems(input: CreateTrustedIssuerDto): ProblemFieldError[] {
  const errors: ProblemFieldError[] = [];
  if (input.jwks === undefined && input.jwks_uri === undefined) {
    errors.push({ pointer: '/jwks', detail: 'one of jwks or jwks_uri is required' });
  }
  if (input.jwks !== undefined && input.jwks_uri !== undefined) {
    errors.push({ pointer: '/jwks', detail: 'jwks and jwks_uri are mutually exclusive' });
  }
  const jwksProblem = input.jwks === undefined ? undefined : publicJwksProblem(input.jwks);
  if (jwksProblem) errors.push({ pointer: '/jwks', detail: jwksProblem });
  const uriProblem = input.jwks_uri === undefined ? undefined : httpsUrlProblem(input.jwks_uri);
  if (uriProblem) errors.push({ pointer: '/jwks_uri', detail: uriProblem });
  return errors;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
