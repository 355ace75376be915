import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { UserEntity, UserRepository } from '@nestmq/persistence';
import { AuditService } from '../audit/audit.service';
import { UsersService } from './users.service';

/** Users in memory, every call yielding to the event loop as a database round trip does. */
function usersInMemory(initial: Array<Pick<UserEntity, 'username' | 'roles' | 'enabled'>>): UserRepository {
  const users = new Map(initial.map((u) => [u.username, { ...u } as UserEntity]));
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return {
    findByUsername: async (name: string) => (await turn(), users.has(name) ? { ...users.get(name)! } : null),
    list: async () => (await turn(), [...users.values()].map((u) => ({ ...u }))),
    setRoles: async (name: string, roles: string[]) => (await turn(), (users.get(name)!.roles = roles), true),
    setEnabled: async (name: string, enabled: boolean) => (await turn(), (users.get(name)!.enabled = enabled), true),
    delete: async (name: string) => (await turn(), users.delete(name)),
  } as unknown as UserRepository;
}

const audit = { record: async () => undefined } as unknown as AuditService;

describe('UsersService', () => {
  it('lets only one of two admins demoting each other at the same time through: an enabled admin is always left', async () => {
    const repository = usersInMemory([
      { username: 'a', roles: ['admin'], enabled: true },
      { username: 'b', roles: ['admin'], enabled: true },
    ]);
    const users = new UsersService(repository, audit);
    const outcomes = await Promise.allSettled([users.update('a', 'b', { roles: ['viewer'] }), users.delete('b', 'a')]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected']);
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /last enabled admin/);
    const admins = (await repository.list()).filter((u) => u.enabled && u.roles.includes('admin'));
    assert.deepEqual(admins.map((u) => u.username), ['a']);
  });

  it('goes on with the next change after one fails', async () => {
    const users = new UsersService(usersInMemory([{ username: 'a', roles: ['admin'], enabled: true }]), audit);
    await assert.rejects(users.delete('x', 'nobody'), /no user "nobody"/);
    const kept = await users.update('x', 'a', { enabled: true });
    assert.equal(kept.username, 'a');
  });
});
