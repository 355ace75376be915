import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { LdapAuthenticator } from './ldap-authenticator';
import type { DirectoryAnswer, LdapDirectory } from './ldap-directory';

/** A directory searched by name that knows `name:password` pairs, and counts what it is asked. */
function fakeDirectory(known: Record<string, string>): LdapDirectory & { asked: number } {
  const fake = {
    asked: 0,
    async answer(username: string, password: string): Promise<DirectoryAnswer> {
      fake.asked++;
      if (known[username] === undefined) return { refused: 'unknown-user' };
      if (known[username] !== password) return { refused: 'wrong-password' };
      return { user: { username: username.toLowerCase(), dn: `uid=${username},dc=x`, roles: ['ops'] } };
    },
    close: () => undefined,
  };
  return fake as unknown as LdapDirectory & { asked: number };
}

const credentials = (username: string | undefined, password: string | Buffer | undefined) => ({
  clientId: 'c',
  remoteAddress: '127.0.0.1',
  ...(username !== undefined && { username }),
  ...(password !== undefined && { password: Buffer.isBuffer(password) ? password : Buffer.from(password) }),
});

describe('LdapAuthenticator', () => {
  it('passes on what is not the directory\'s without asking it: no name, no password, bytes that are not text', async () => {
    const directory = fakeDirectory({ alice: 'pw' });
    const ldap = new LdapAuthenticator(directory, { cacheTtl: 60, cacheEntries: 10, givesRoles: true });
    assert.deepEqual(await ldap.check(credentials(undefined, 'pw')), { kind: 'ignore', reason: 'no user name' });
    assert.deepEqual(await ldap.check(credentials('alice', undefined)), { kind: 'ignore', reason: 'no password' });
    assert.deepEqual(await ldap.check(credentials('alice', '')), { kind: 'ignore', reason: 'no password' });
    assert.deepEqual(await ldap.check(credentials('alice', Buffer.from([0xc3]))), { kind: 'ignore', reason: 'the password is not text' });
    assert.equal(directory.asked, 0);
  });

  it('remembers allows for the TTL under name and password together, never denials, and at most cacheEntries', async () => {
    let now = 0;
    const directory = fakeDirectory({ Alice: 'pw', ab: 'c', a: 'bc', bob: 'pw', carol: 'pw' });
    const ldap = new LdapAuthenticator(directory, { cacheTtl: 10, cacheEntries: 2, givesRoles: true, now: () => now });
    assert.deepEqual(await ldap.check(credentials('Alice', 'pw')), { kind: 'allow', username: 'alice', roles: ['ops'], reason: 'the directory accepted the password' });
    assert.equal((await ldap.check(credentials('Alice', 'pw'))).reason, 'the directory accepted the password (cached)');
    assert.equal(directory.asked, 1);
    assert.equal((await ldap.check(credentials('Alice', 'wrong'))).kind, 'deny');
    assert.equal((await ldap.check(credentials('Alice', 'wrong'))).kind, 'deny');
    assert.equal(directory.asked, 3, 'denials are asked every time');
    // The name's length is part of the digest: ab + c is not a + bc.
    assert.equal((await ldap.check(credentials('ab', 'c'))).kind, 'allow');
    assert.equal((await ldap.check(credentials('a', 'bc'))).kind, 'allow');
    assert.equal(directory.asked, 5);
    assert.equal(ldap.cached, 2, 'bounded: the oldest went first');
    now = 10_001;
    assert.equal((await ldap.check(credentials('a', 'bc'))).reason, 'the directory accepted the password', 'expired: asked again');
    assert.equal(directory.asked, 6);
  });

  it('refuses a wrong password for a name the directory has, and passes on a name it does not have', async () => {
    const ldap = new LdapAuthenticator(fakeDirectory({ alice: 'pw' }), { cacheTtl: 60, cacheEntries: 10, givesRoles: true });
    assert.deepEqual(await ldap.check(credentials('alice', 'guess')), { kind: 'deny', reasonCode: 0x86, reason: 'the directory refused the password' });
    assert.deepEqual(await ldap.check(credentials('mallory', 'guess')), { kind: 'ignore', reason: 'not in the directory' });
  });

  it('gives no roles when LDAP_GROUP_ROLES is unset, and asks every time with a TTL of 0', async () => {
    const directory = fakeDirectory({ bob: 'pw' });
    const ldap = new LdapAuthenticator(directory, { cacheTtl: 0, cacheEntries: 10, givesRoles: false });
    assert.deepEqual(await ldap.check(credentials('bob', 'pw')), { kind: 'allow', username: 'bob', reason: 'the directory accepted the password' });
    await ldap.check(credentials('bob', 'pw'));
    assert.deepEqual([directory.asked, ldap.cached], [2, 0]);
  });
});
