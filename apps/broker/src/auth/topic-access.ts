import { AccessRule, OrderedAccessRules } from './access-rules';
import type { IdentityAcl } from './identity-acl';
import { TopicAcl } from './topic-acl';

/** What happens to an action no rule speaks of, when there is no ACL file. */
export type NoMatch = 'allow' | 'deny';

/**
 * The topic access policy in force: the rules managed through the admin API first, in order; where none
 * applies, the ACL file (read-only, Mosquitto's semantics: what it does not allow is refused); without a
 * file, ACL_NO_MATCH. The rules can be replaced while clients are connected: whoever remembers decisions
 * listens (`onChange`) and forgets them, so a change applies to the next packet.
 *
 * A client whose authenticator gave its identity topic lists of its own (IdentityAcl) is checked against
 * them first, then against this policy: it may do only what both allow. Rules naming a role apply to the
 * clients whose authenticator gave them that role. Where authenticators can give such
 * lists (`identityAcls`: jwt or http in AUTH_CHAIN), the checks stay on even without any rule.
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
    private readonly identityAcls = false,
  ) {
    this.rules = new OrderedAccessRules(rules);
    this.active = this.isActive();
  }

  private isActive(): boolean {
    return this.identityAcls || this.file !== null || this.rules.size > 0 || this.noMatch === 'deny';
  }

  replaceRules(rules: readonly AccessRule[]): void {
    this.rules = new OrderedAccessRules(rules);
    this.active = this.isActive();
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  canPublish(username: string | undefined, clientId: string, topic: string, identity?: IdentityAcl, roles?: readonly string[]): boolean {
    if (identity !== undefined && !identity.canPublish(topic)) return false;
    return this.rules.publish(username, clientId, topic, roles) ?? (this.file !== null ? this.file.canPublish(username, clientId, topic) : this.noMatch === 'allow');
  }

  canSubscribe(username: string | undefined, clientId: string, filter: string, identity?: IdentityAcl, roles?: readonly string[]): boolean {
    if (identity !== undefined && !identity.canSubscribe(filter)) return false;
    return this.rules.subscribe(username, clientId, filter, roles) ?? (this.file !== null ? this.file.canSubscribe(username, clientId, filter) : this.noMatch === 'allow');
  }

  canRead(username: string | undefined, clientId: string, topic: string, identity?: IdentityAcl, roles?: readonly string[]): boolean {
    if (identity !== undefined && !identity.canRead(topic)) return false;
    return this.rules.read(username, clientId, topic, roles) ?? (this.file !== null ? this.file.canRead(username, clientId, topic) : this.noMatch === 'allow');
  }
}
