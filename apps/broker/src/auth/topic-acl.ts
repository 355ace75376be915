import { isValidTopicFilter, topicMatches } from '@nestmq/mqtt-protocol';

export type Access = 'read' | 'write' | 'readwrite' | 'deny';

interface AclRule {
  access: Access;
  /** A topic filter; in a pattern, %c and %u stand for the client identifier and user name. */
  filter: string;
  line: number;
}

/** A rule as the file states it, for listing. */
export interface AclFileRule {
  line: number;
  /** `topic` lines apply to one user (or, before any `user` line, to anonymous clients); patterns to all. */
  kind: 'topic' | 'pattern';
  /** The user of a `topic` line; null before any `user` line (anonymous clients) and for patterns. */
  user: string | null;
  access: Access;
  filter: string;
}

interface Applicable {
  allowRead: string[];
  allowWrite: string[];
  deny: string[];
}

export class AclSyntaxError extends Error {
  override readonly name = 'AclSyntaxError';
}

/**
 * Topic access control in Mosquitto's acl_file format, so an existing file carries over:
 *
 *     topic read $SYS/#              # before any "user" line: anonymous clients
 *     user alice
 *     topic readwrite sensors/#      # alice only
 *     topic deny sensors/secret
 *     pattern write clients/%c/#     # every client, %c = its client id, %u = its user name
 *
 * With a file, what no rule allows is refused, and a deny rule wins over any allow. A subscription is
 * refused when no read rule can match any of its topics, or a deny rule covers all of them; otherwise it
 * is accepted and each message is checked against the read rules on delivery (canRead), as Mosquitto does,
 * so `#` may be subscribed to where some topics are denied.
 *
 * Every rule must be a valid topic filter (with %c and %u standing for one whole or partial level), so a
 * malformed rule never matches more than it says. A client identifier or user name that cannot stand in a
 * level as it is (empty, or holding `+`, `#` or `/`; for %u, no user at all) would widen a pattern into
 * other clients' topics (Mosquitto's CVE-2017-7650): the allowing patterns that use it do not apply, and
 * the denying ones deny everything from the level where it stands on.
 */
export class TopicAcl {
  private constructor(
    private readonly anonymous: AclRule[],
    private readonly byUser: Map<string, AclRule[]>,
    private readonly patterns: AclRule[],
  ) {}

  static parse(text: string): TopicAcl {
    const anonymous: AclRule[] = [];
    const byUser = new Map<string, AclRule[]>();
    const patterns: AclRule[] = [];
    let current = anonymous;
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const [keyword, ...rest] = line.split(/\s+/);
      const where = `line ${index + 1}`;
      if (keyword === 'user') {
        const name = line.slice(keyword.length).trim();
        if (name === '') throw new AclSyntaxError(`${where}: "user" needs a name`);
        current = byUser.get(name) ?? [];
        byUser.set(name, current);
        return;
      }
      if (keyword !== 'topic' && keyword !== 'pattern') throw new AclSyntaxError(`${where}: unknown keyword "${keyword}"`);
      let access: Access = 'readwrite';
      if (rest.length > 1 && ['read', 'write', 'readwrite', 'deny'].includes(rest[0])) access = rest.shift() as Access;
      const filter = rest.join(' ');
      if (filter === '') throw new AclSyntaxError(`${where}: "${keyword}" needs a topic`);
      const checked = keyword === 'pattern' ? filter.replaceAll('%c', 'c').replaceAll('%u', 'u') : filter;
      if (!isValidTopicFilter(checked)) {
        throw new AclSyntaxError(`${where}: "${filter}" is not a topic filter ('#' only as the last level, '+' only as a whole level)`);
      }
      (keyword === 'pattern' ? patterns : current).push({ access, filter, line: index + 1 });
    });
    return new TopicAcl(anonymous, byUser, patterns);
  }

  /** Every rule, in the order of the file. */
  rules(): AclFileRule[] {
    const out: AclFileRule[] = this.anonymous.map((r) => ({ line: r.line, kind: 'topic', user: null, access: r.access, filter: r.filter }));
    for (const [user, rules] of this.byUser) for (const r of rules) out.push({ line: r.line, kind: 'topic', user, access: r.access, filter: r.filter });
    for (const r of this.patterns) out.push({ line: r.line, kind: 'pattern', user: null, access: r.access, filter: r.filter });
    return out.sort((a, b) => a.line - b.line);
  }

  canPublish(username: string | undefined, clientId: string, topic: string): boolean {
    const rules = this.applicable(username, clientId);
    if (rules.deny.some((f) => topicMatches(f, topic))) return false;
    return rules.allowWrite.some((f) => topicMatches(f, topic));
  }

  canSubscribe(username: string | undefined, clientId: string, filter: string): boolean {
    const rules = this.applicable(username, clientId);
    if (rules.deny.some((f) => filterCovers(f, filter))) return false;
    return rules.allowRead.some((f) => filtersIntersect(f, filter));
  }

  /** May a message on `topic` be delivered to this client? */
  canRead(username: string | undefined, clientId: string, topic: string): boolean {
    const rules = this.applicable(username, clientId);
    if (rules.deny.some((f) => topicMatches(f, topic))) return false;
    return rules.allowRead.some((f) => topicMatches(f, topic));
  }

  private applicable(username: string | undefined, clientId: string): Applicable {
    const out: Applicable = { allowRead: [], allowWrite: [], deny: [] };
    const add = (rule: AclRule, filter: string): void => {
      if (rule.access === 'deny') out.deny.push(filter);
      if (rule.access === 'read' || rule.access === 'readwrite') out.allowRead.push(filter);
      if (rule.access === 'write' || rule.access === 'readwrite') out.allowWrite.push(filter);
    };
    for (const rule of username === undefined ? this.anonymous : (this.byUser.get(username) ?? [])) add(rule, rule.filter);
    for (const rule of this.patterns) {
      const filter = substitute(rule.filter, clientId, username);
      if (filter !== null) add(rule, filter);
      else if (rule.access === 'deny') add(rule, deniedFrom(rule.filter, clientId, username));
    }
    return out;
  }
}

/** A value that can stand in a topic level as it is: one level, no wildcard. */
function fitsInLevel(value: string | undefined): value is string {
  return value !== undefined && value !== '' && !/[+#/]/.test(value);
}

/** The pattern with %c and %u replaced, or null when a value it uses cannot stand in a level. */
export function substitute(pattern: string, clientId: string, username: string | undefined): string | null {
  const usesClient = pattern.includes('%c');
  const usesUser = pattern.includes('%u');
  if ((usesClient && !fitsInLevel(clientId)) || (usesUser && !fitsInLevel(username))) return null;
  return pattern.replaceAll('%c', clientId).replaceAll('%u', username ?? '');
}

/**
 * A denying pattern whose value cannot stand in its level: everything from the first such level on is
 * denied (`clients/%c/secret` for client id `a/b` denies `clients/#`), more than meant, never less.
 */
export function deniedFrom(pattern: string, clientId: string, username: string | undefined): string {
  const kept: string[] = [];
  for (const level of pattern.split('/')) {
    if ((level.includes('%c') && !fitsInLevel(clientId)) || (level.includes('%u') && !fitsInLevel(username))) break;
    kept.push(level.replaceAll('%c', clientId).replaceAll('%u', username ?? ''));
  }
  kept.push('#');
  return kept.join('/');
}

/** True when every topic `inner` can match is matched by `outer` (both plain filters). */
export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const i = inner.split('/');
  for (let k = 0; k < o.length; k++) {
    if (o[k] === '#') return true;
    if (k >= i.length) return false;
    if (i[k] === '#') return false;
    if (o[k] !== '+' && (i[k] === '+' || o[k] !== i[k])) return false;
  }
  return o.length === i.length;
}

/** True when some topic is matched by both filters. */
export function filtersIntersect(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  for (let k = 0; k < Math.max(x.length, y.length); k++) {
    if (x[k] === '#' || y[k] === '#') return true;
    // One ran out first: only a '#' next ("a/#" matches "a"), handled above, would still meet.
    if (k >= x.length || k >= y.length) return false;
    if (x[k] !== '+' && y[k] !== '+' && x[k] !== y[k]) return false;
  }
  return true;
}
