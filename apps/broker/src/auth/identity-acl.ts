import { isValidTopicFilter, topicMatches } from '@nestmq/mqtt-protocol';
import { filtersIntersect } from './topic-acl';

/** The lists as an authenticator's answer gives them: a missing list leaves that action unrestricted. */
export interface IdentityAclLists {
  publish?: readonly string[];
  subscribe?: readonly string[];
}

export class IdentityAclError extends Error {
  override readonly name = 'IdentityAclError';
}

/** Filters one identity may hold, in all: a token or hook answer listing more is refused. */
const MAX_FILTERS = 1000;

/**
 * The topics one identity may use, as its authenticator said (a JWT's ACL claim, the HTTP hook's answer):
 * `publish` and `subscribe` lists of topic filters. It is a restriction on top of the broker's own policy
 * (rules in the database, ACL_FILE, ACL_NO_MATCH), never a grant past it: a client with one may do
 * something only where both its list and the broker's policy allow it. So an issuer of tokens can narrow
 * a client to its own topics, and the administrator's deny rules still hold for everyone.
 *
 * A list that is absent leaves that action to the broker's policy alone; an empty list allows nothing.
 * As for the broker's rules, a subscription is allowed when one listed filter can match some of its
 * topics, and each message is then checked on delivery (`canRead`). `#` and `+` never match `$SYS`.
 */
export class IdentityAcl {
  private constructor(
    readonly publish: readonly string[] | null,
    readonly subscribe: readonly string[] | null,
  ) {}

  /** Validates lists from outside (decoded JSON): anything but string arrays of valid filters is an error. */
  static parse(value: unknown): IdentityAcl {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new IdentityAclError('the ACL is not an object with publish/subscribe lists');
    const record = value as Record<string, unknown>;
    const publish = list(record.publish, 'publish');
    const subscribe = list(record.subscribe, 'subscribe');
    if ((publish?.length ?? 0) + (subscribe?.length ?? 0) > MAX_FILTERS) throw new IdentityAclError(`the ACL lists more than ${MAX_FILTERS} filters`);
    return new IdentityAcl(publish, subscribe);
  }

  static of(lists: IdentityAclLists): IdentityAcl {
    return IdentityAcl.parse(lists);
  }

  canPublish(topic: string): boolean {
    const filters = this.publish;
    if (filters === null) return true;
    for (const f of filters) if (topicMatches(f, topic)) return true;
    return false;
  }

  canSubscribe(filter: string): boolean {
    const filters = this.subscribe;
    if (filters === null) return true;
    for (const f of filters) if (filtersIntersect(f, filter)) return true;
    return false;
  }

  canRead(topic: string): boolean {
    const filters = this.subscribe;
    if (filters === null) return true;
    for (const f of filters) if (topicMatches(f, topic)) return true;
    return false;
  }

  /** For the session log: the lists, as given. */
  toJSON(): IdentityAclLists {
    return { ...(this.publish !== null ? { publish: this.publish } : {}), ...(this.subscribe !== null ? { subscribe: this.subscribe } : {}) };
  }
}

function list(value: unknown, name: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw new IdentityAclError(`the ACL's ${name} is not a list of topic filters`);
  for (const f of value) {
    if (typeof f !== 'string' || !isValidTopicFilter(f) || f.startsWith('$share/')) throw new IdentityAclError(`the ACL's ${name} list holds a value that is not a topic filter`);
  }
  return [...(value as string[])];
}
