import { AccessRule, OrderedAccessRules } from './access-rules';
import { TopicAcl } from './topic-acl';

/** What happens to an action no rule speaks of, when there is no ACL file. */
export type NoMatch = 'allow' | 'deny';

/**
 * The topic access policy in force: the rules managed through the admin API first, in order; where none
 * applies, the ACL file (read-only, Mosquitto's semantics: what it does not allow is refused); without a
 * file, ACL_NO_MATCH. The rules can be replaced while clients are connected: whoever remembers decisions
 * listens (`onChange`) and forgets them, so a change applies to the next packet.
 */
export class TopicAccess {
  private rules: OrderedAccessRules;
  private readonly listeners: Array<() => void> = [];
  /** False while every client may do everything: the broker then makes no checks at all. A field, read per PUBLISH. */
  active: boolean;

  constructor(
    readonly file: TopicAcl | null,
    rules: readonly AccessRule[],
    readonly noMatch: NoMatch,
  ) {
    this.rules = new OrderedAccessRules(rules);
    this.active = this.isActive();
  }

  private isActive(): boolean {
    return this.file !== null || this.rules.size > 0 || this.noMatch === 'deny';
  }

  get ruleCount(): number {
    return this.rules.size;
  }

  replaceRules(rules: readonly AccessRule[]): void {
    this.rules = new OrderedAccessRules(rules);
    this.active = this.isActive();
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  canPublish(username: string | undefined, clientId: string, topic: string): boolean {
    return this.rules.publish(username, clientId, topic) ?? (this.file !== null ? this.file.canPublish(username, clientId, topic) : this.noMatch === 'allow');
  }

  canSubscribe(username: string | undefined, clientId: string, filter: string): boolean {
    return this.rules.subscribe(username, clientId, filter) ?? (this.file !== null ? this.file.canSubscribe(username, clientId, filter) : this.noMatch === 'allow');
  }

  canRead(username: string | undefined, clientId: string, topic: string): boolean {
    return this.rules.read(username, clientId, topic) ?? (this.file !== null ? this.file.canRead(username, clientId, topic) : this.noMatch === 'allow');
  }
}
