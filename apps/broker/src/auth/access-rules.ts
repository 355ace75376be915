import { topicMatches } from '@nestmq/mqtt-protocol';
import { deniedFrom, filterCovers, filtersIntersect, substitute } from './topic-acl';

/** One rule as the admin API stores it. */
export interface AccessRule {
  permission: 'allow' | 'deny';
  /** `subscribe` also governs receiving: a message is delivered only where its topic may be read. */
  action: 'publish' | 'subscribe' | 'all';
  /** A topic filter; %c and %u stand for the client identifier and user name. */
  topic: string;
  /** Only this user's clients; null: any client. */
  username: string | null;
  /** Only this client; null: any. */
  clientId: string | null;
  /** Only clients without a user name. */
  anonymous: boolean;
  /** Only clients their authenticator gave this role; null: any. */
  role: string | null;
}

interface Ranked {
  rank: number;
  rule: AccessRule;
}

/**
 * Ordered rules, firewall style: the first rule that applies to the client, the action and the topic
 * decides; when none does, the answer is undefined and the caller falls back (ACL file, ACL_NO_MATCH).
 *
 * Rules naming a user are kept apart by user, so a decision reads that user's rules and the general
 * ones, merged back into their order, rather than every user's. A pattern whose %c or %u value cannot
 * stand in a topic level (empty, or holding `+`, `#` or `/`) never allows, and denies from that level on
 * (as for the ACL file, see TopicAcl).
 *
 * Subscribing to a filter is allowed by the first rule that is either an allow that can match one of the
 * filter's topics, or a deny that matches all of them; messages are then checked one by one on delivery
 * (`read`), so `#` may be subscribed to where some topics are denied.
 */
export class OrderedAccessRules {
  private readonly general: Ranked[] = [];
  private readonly byUser = new Map<string, Ranked[]>();

  constructor(rules: readonly AccessRule[]) {
    rules.forEach((rule, rank) => {
      if (rule.username === null) return void this.general.push({ rank, rule });
      let list = this.byUser.get(rule.username);
      if (list === undefined) this.byUser.set(rule.username, (list = []));
      list.push({ rank, rule });
    });
    this.size = rules.length;
  }

  readonly size: number;

  publish(username: string | undefined, clientId: string, topic: string, roles?: readonly string[]): boolean | undefined {
    return this.first(username, clientId, roles, 'publish', (rule, filter) => (topicMatches(filter, topic) ? rule.permission === 'allow' : undefined));
  }

  read(username: string | undefined, clientId: string, topic: string, roles?: readonly string[]): boolean | undefined {
    return this.first(username, clientId, roles, 'subscribe', (rule, filter) => (topicMatches(filter, topic) ? rule.permission === 'allow' : undefined));
  }

  subscribe(username: string | undefined, clientId: string, topicFilter: string, roles?: readonly string[]): boolean | undefined {
    return this.first(username, clientId, roles, 'subscribe', (rule, filter) => {
      if (rule.permission === 'allow') return filtersIntersect(filter, topicFilter) ? true : undefined;
      return filterCovers(filter, topicFilter) ? false : undefined;
    });
  }

  private first(
    username: string | undefined,
    clientId: string,
    roles: readonly string[] | undefined,
    action: 'publish' | 'subscribe',
    decide: (rule: AccessRule, filter: string) => boolean | undefined,
  ): boolean | undefined {
    const mine = username === undefined ? EMPTY : (this.byUser.get(username) ?? EMPTY);
    const general = this.general;
    let i = 0;
    let j = 0;
    while (i < mine.length || j < general.length) {
      const next = j >= general.length || (i < mine.length && mine[i].rank < general[j].rank) ? mine[i++] : general[j++];
      const rule = next.rule;
      if (rule.action !== 'all' && rule.action !== action) continue;
      if (rule.clientId !== null && rule.clientId !== clientId) continue;
      if (rule.anonymous && username !== undefined) continue;
      if (rule.role !== null && (roles === undefined || !roles.includes(rule.role))) continue;
      let filter = substitute(rule.topic, clientId, username);
      if (filter === null) {
        if (rule.permission === 'allow') continue;
        filter = deniedFrom(rule.topic, clientId, username);
      }
      const answer = decide(rule, filter);
      if (answer !== undefined) return answer;
    }
    return undefined;
  }
}

const EMPTY: Ranked[] = [];
