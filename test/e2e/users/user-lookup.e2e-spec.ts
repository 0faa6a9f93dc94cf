import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { UserEntity } from '../../../src/users/user.entity.js';
import { UsersService } from '../../../src/users/users.service.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';

/** Users by id (UserInfo, the authorization endpoint) and by username (password checks): a turn's lookups together (one statement a key on PostgreSQL, one transaction on SQLite). */
describe('users service: lookups by id and by username', () => {
  let service: TestApp;
  let users: UsersService;

  beforeAll(async () => {
    service = await startTestApp();
    users = service.app.get(UsersService);
  });
  afterAll(() => service.close());

  it('when many lookups arrive in one turn, some for the same user and some for none, then each gets its own user as stored', async () => {
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        service.createUser({
          username: `lookup-${index}`,
          password: 'a password for the lookups',
          name: `Lookup "${index}" ünïcödé`,
          address: { locality: 'Oxford', country: 'GB' },
        }),
      ),
    );
    const ids = created.map((user) => user.id as string);
    const asked = [...ids, ids[3]!, ids[3]!, '00000000-0000-0000-0000-000000000000', 'not a uuid'];

    const found = await Promise.all(asked.map((id) => users.findById(id)));

    expect(found.map((user) => user?.id ?? null)).toEqual(
      asked.map((id, index) => (index < ids.length + 2 ? id : null)),
    );
    expect(found[5]).toMatchObject({
      username: 'lookup-5',
      claims: { name: 'Lookup "5" ünïcödé', address: { locality: 'Oxford', country: 'GB' } },
    });
    // Field for field, and of the same types, what TypeORM reads (times as numbers, claims parsed).
    const repository = service.app.get<Repository<UserEntity>>(getRepositoryToken(UserEntity));
    for (const index of [0, 5, 11]) {
      expect(found[index]).toStrictEqual(await repository.findOneBy({ id: ids[index]! }));
    }
    expect(typeof found[5]!.createdAt).toBe('number');
    // Two callers of the same user do not share one object.
    expect(found[12]).not.toBe(found[13]);
    found[12]!.claims.name = 'changed by one caller';
    expect(found[13]!.claims.name).toBe('Lookup "3" ünïcödé');
  });

  it('when password checks of several users arrive in one turn then each is judged against its own user', async () => {
    const [first, second] = await Promise.all(
      ['by-name-1', 'by-name-2'].map((username) =>
        service.createUser({ username, password: `the password of ${username}` }),
      ),
    );

    const verdicts = await Promise.all([
      users.verifyPassword('by-name-1', 'the password of by-name-1'),
      users.verifyPassword('by-name-2', 'the password of by-name-2'),
      users.verifyPassword('by-name-2', 'the password of by-name-1'),
      users.verifyPassword('by-name-1', 'the password of by-name-1'),
      users.verifyPassword('nobody-by-that-name', 'the password of by-name-1'),
    ]);

    expect(verdicts.map((user) => user?.id ?? null)).toEqual([
      first!.id,
      second!.id,
      null,
      first!.id,
      null,
    ]);
    expect(verdicts[0]).not.toBe(verdicts[3]);
  });

  it('when a user was deleted then a lookup in the next turn finds none', async () => {
    const user = await service.createUser({
      username: 'lookup-gone',
      password: 'a password for the lookups',
    });
    expect((await users.findById(user.id as string))?.username).toBe('lookup-gone');

    expect((await service.admin('DELETE', `/admin/users/${user.id}`)).status).toBe(204);

    expect(await users.findById(user.id as string)).toBeNull();
  });
});
