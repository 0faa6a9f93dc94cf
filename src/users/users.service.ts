import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { MoreThan, Repository } from 'typeorm';
import { ProblemError } from '../common/problem/problem.error.js';
import { decodeCursor, encodeCursor } from '../common/problem/cursor.js';
import { driverHandle } from '../database/driver-handles.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import { PasswordHasher } from './password-hasher.js';
import { PooledUserLookup } from './pooled-user-lookup.js';
import { SqliteUserLookup } from './sqlite-user-lookup.js';
import type { UserLookup } from './user-rows.js';
import type { UserClaims } from './user-claims.js';
import type { CreateUserDto, UpdateUserDto } from './user.dto.js';
import { isStorableText } from '../database/storable-text.js';
import { UserEntity } from './user.entity.js';

export interface UserPage {
  readonly items: UserEntity[];
  readonly nextCursor: string | undefined;
}

@Injectable()
export class UsersService {
  /** The hot lookups, by id and by username, on the driver itself (user-rows.ts). */
  private readonly lookup: UserLookup;

  constructor(
    @InjectRepository(UserEntity) private readonly repository: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
  ) {
    const handle = driverHandle(repository.manager.connection);
    this.lookup =
      handle.kind === 'sqlite'
        ? new SqliteUserLookup(handle.connection)
        : new PooledUserLookup(handle.pool);
  }

  findById(id: string): Promise<UserEntity | null> {
    return isStorableText(id) ? this.lookup.findById(id) : Promise.resolve(null);
  }

  async get(id: string): Promise<UserEntity> {
    const user = isStorableText(id) ? await this.repository.findOneBy({ id }) : null;
    if (user === null) throw ProblemError.notFound(`no user "${id}"`);
    return user;
  }

  /** The user whose password this is, or undefined; costs one argon2 verify either way. */
  async verifyPassword(username: string, password: string): Promise<UserEntity | undefined> {
    const user = isStorableText(username) ? await this.lookup.findByUsername(username) : null;
    const ok = await this.hasher.verify(user?.passwordHash ?? null, password);
    return ok && user !== null ? user : undefined;
  }

  async list(limit: number, cursor: string | undefined): Promise<UserPage> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const users = await this.repository.find({
      where: after === undefined ? {} : { id: MoreThan(after) },
      order: { id: 'ASC' },
      take: limit + 1,
    });
    const items = users.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: users.length > limit && last ? encodeCursor(last.id) : undefined };
  }

  async create(input: CreateUserDto): Promise<UserEntity> {
    const { username, password, ...claims } = input;
    await this.assertUsernameFree(username);
    const now = Date.now();
    const user = this.repository.create({
      id: randomUUID(),
      username,
      passwordHash: await this.hasher.hash(password),
      claims: plainClaims(claims),
      createdAt: now,
      updatedAt: now,
    });
    await this.write(() => this.repository.insert(user), username);
    return user;
  }

  async update(id: string, input: UpdateUserDto): Promise<UserEntity> {
    const user = await this.get(id);
    const { username, password, ...claims } = input;
    if (username !== undefined && username !== user.username) {
      await this.assertUsernameFree(username);
      user.username = username;
    }
    if (password !== undefined) user.passwordHash = await this.hasher.hash(password);
    // A merge patch (RFC 7396): fields not given stay, a claim given as null is removed.
    const given = JSON.parse(JSON.stringify(claims)) as Record<string, unknown>;
    user.claims = plainClaims({ ...user.claims, ...given });
    user.updatedAt = Date.now();
    // One row, one statement: no transaction, which on SQLite's one connection
    // would take in other requests' statements between its awaits (and undo them
    // on a rollback).
    await this.write(() => this.repository.save(user, { transaction: false }), user.username);
    return user;
  }

  async delete(id: string): Promise<void> {
    const result = await this.repository.delete({ id });
    if (!result.affected) throw ProblemError.notFound(`no user "${id}"`);
  }

  /** A write that may lose a race for a username to another request: 409, not 500. */
  private async write(operation: () => Promise<unknown>, username: string): Promise<void> {
    try {
      await operation();
    } catch (error) {
      if (isUniqueViolation(error)) throw ProblemError.conflict(`username "${username}" is taken`);
      throw error;
    }
  }

  private async assertUsernameFree(username: string): Promise<void> {
    if (await this.repository.existsBy({ username })) {
      throw ProblemError.conflict(`username "${username}" is taken`);
    }
  }
}

/** Class instances and undefined fields out, so that the JSON column holds plain data only. */
function plainClaims(claims: object): UserClaims {
  // Null claims are left out (OpenID Connect Core §5.3.2: omitted, never null).
  return JSON.parse(
    JSON.stringify(claims, (_key, value: unknown) => (value === null ? undefined : value)),
  ) as UserClaims;
}
