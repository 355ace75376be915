import { normalizeDn } from './ldap-escape';

/** One entry of LDAP_GROUP_ROLES: members of `group` have `role`. */
export interface GroupRole {
  group: string;
  role: string;
}

export class GroupRolesSyntaxError extends Error {
  override readonly name = 'GroupRolesSyntaxError';
}

/** A role name: what ACL rules, the session log and the admin API (`admin`, `viewer`) can read plainly. */
const ROLE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * `LDAP_GROUP_ROLES=cn=mqtt-admins,ou=groups,dc=example,dc=org:admin;cn=ops,ou=groups,dc=example,dc=org:ops`
 *
 * DNs hold commas, so entries are separated by `;` (a DN that holds one writes it `\;`, as RFC 4514
 * allows), and each entry's role is what follows its last `:` (a role has no `:`; a DN may). A group may
 * appear in several entries, for several roles. Every DN is checked to be one, so a typo stops the broker
 * at start rather than silently giving nobody the role.
 */
export function parseGroupRoles(raw: string): GroupRole[] {
  const entries = raw
    .split(/(?<!\\);|\n/)
    .map((e) => e.trim())
    .filter((e) => e !== '');
  return entries.map((entry) => {
    const colon = entry.lastIndexOf(':');
    if (colon < 0) throw new GroupRolesSyntaxError(`"${entry}" has no role (expected <group DN>:<role>)`);
    const group = entry.slice(0, colon).trim();
    const role = entry.slice(colon + 1).trim();
    if (!ROLE.test(role)) throw new GroupRolesSyntaxError(`"${entry}": the role "${role}" is not a role name (letters, digits, _ . -)`);
    if (normalizeDn(group) === undefined) throw new GroupRolesSyntaxError(`"${entry}": "${group}" is not a DN (expected e.g. cn=mqtt-admins,ou=groups,dc=example,dc=org)`);
    return { group, role };
  });
}

/** The roles of a user, by the DNs of its groups; in the order LDAP_GROUP_ROLES names them, each once. */
export class GroupRoles {
  private readonly entries: ReadonlyArray<{ group: string; role: string }>;

  constructor(entries: readonly GroupRole[]) {
    this.entries = entries.map(({ group, role }) => ({ group: normalizeDn(group)!, role }));
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  rolesOf(groupDns: Iterable<string>): string[] {
    const groups = new Set<string>();
    for (const dn of groupDns) {
      const normal = normalizeDn(dn);
      if (normal !== undefined) groups.add(normal);
    }
    const roles: string[] = [];
    for (const { group, role } of this.entries) if (groups.has(group) && !roles.includes(role)) roles.push(role);
    return roles;
  }
}
