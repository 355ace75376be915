import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { GroupRoles, GroupRolesSyntaxError, parseGroupRoles } from './group-roles';

describe('LDAP_GROUP_ROLES', () => {
  it('reads entries separated by ";", each role after its last ":", DNs with commas, colons and escaped semicolons', () => {
    assert.deepEqual(parseGroupRoles('cn=mqtt-admins,ou=groups,dc=example,dc=org:admin; cn=a:b\\;c,dc=x:ops'), [
      { group: 'cn=mqtt-admins,ou=groups,dc=example,dc=org', role: 'admin' },
      { group: 'cn=a:b\\;c,dc=x', role: 'ops' },
    ]);
    assert.deepEqual(parseGroupRoles(''), []);
  });

  it('refuses an entry without a role, a role that is not a name, and a group that is not a DN', () => {
    for (const [raw, message] of [
      ['cn=admins,dc=x', /has no role/],
      ['cn=admins,dc=x:ad min', /is not a role name/],
      ['admins:admin', /is not a DN/],
      ['cn=admins,dc=x:', /is not a role name/],
    ] as const) {
      assert.throws(() => parseGroupRoles(raw), (e: unknown) => e instanceof GroupRolesSyntaxError && message.test(e.message), raw);
    }
  });

  it('gives each role once, in the order of the mapping, for any spelling of the group DNs', () => {
    const roles = new GroupRoles(parseGroupRoles('cn=ops,dc=x:ops;cn=admins,dc=x:admin;cn=admins2,dc=x:admin'));
    assert.deepEqual(roles.rolesOf(['CN=Admins, DC=X', 'cn=admins2,dc=x', 'cn=ops,dc=x', 'cn=other,dc=x', 'not a dn']), ['ops', 'admin']);
    assert.deepEqual(roles.rolesOf([]), []);
  });
});
