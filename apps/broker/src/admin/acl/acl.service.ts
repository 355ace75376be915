import { Inject, Injectable } from '@nestjs/common';
import { AclRuleEntity, AclRuleFields, AclRuleRepository } from '@nestmq/persistence';
import type { GraphQLError } from 'graphql';
import { TopicAccess } from '../../auth/topic-access';
import { AclFileRule } from '../../auth/topic-acl';
import { BROKER_CONFIG, BrokerConfig } from '../../config/broker-config';
import { badInput, notFound } from '../admin-error';
import { AuditService } from '../audit/audit.service';
import { ChangeQueue } from '../change-queue';
import { checkTopicFilter } from '../topic-input';
import { AclActionName, AclPermissionName, AclRuleSource, AclRuleType, CreateAclRuleInput, UpdateAclRuleInput } from './acl.types';

const noRule = (id: string): GraphQLError => notFound(`no rule "${id.slice(0, 100)}" in the database (ids are numbers; file rules are changed in ACL_FILE)`);

/** Each uncached decision reads the rules in order: their number is bounded. */
export const MAX_ACL_RULES = 10_000;
const MAX_NAME_BYTES = 65_535;
const MAX_COMMENT_LENGTH = 1_000;

/** What the audit log keeps of a rule. */
const described = (r: AclRuleEntity): Record<string, unknown> => ({
  position: r.position,
  permission: r.permission,
  action: r.action,
  topic: r.topic,
  username: r.username,
  clientId: r.clientId,
  anonymous: r.anonymous,
  role: r.role,
  comment: r.comment,
});

/**
 * The topic rules: those in the database, managed here, and those of ACL_FILE, listed read-only. Every
 * change is written, read back in full and handed to the broker's TopicAccess, which makes connected
 * clients decide anew from their next packet.
 */
@Injectable()
export class AclService {
  private readonly changes = new ChangeQueue();

  constructor(
    private readonly rules: AclRuleRepository,
    private readonly access: TopicAccess,
    private readonly audit: AuditService,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  async list(): Promise<AclRuleType[]> {
    const stored = (await this.rules.list()).map(fromDatabase);
    return stored.concat((this.access.file?.rules() ?? []).map(fromFile));
  }

  create(actor: string, input: CreateAclRuleInput): Promise<AclRuleType> {
    return this.changes.run(async () => {
      const fields = this.checked({ username: null, clientId: null, anonymous: false, role: null, comment: null, ...input } as AclRuleFields);
      if ((await this.rules.count()) >= MAX_ACL_RULES) throw badInput(`there are ${MAX_ACL_RULES} rules already; remove some first`);
      const rule = await this.rules.create(fields, this.position(input.position));
      await this.reload();
      await this.audit.record({ actor, action: 'createAclRule', target: rule.id, details: { after: described(rule) } });
      return fromDatabase(rule);
    });
  }

  update(actor: string, id: string, input: UpdateAclRuleInput): Promise<AclRuleType> {
    return this.changes.run(async () => {
      checkId(id);
      const changes: Partial<AclRuleFields> = {};
      for (const key of ['permission', 'action', 'topic', 'anonymous'] as const) {
        if (input[key] === null) throw badInput(`${key}: may be left out, not null`);
        if (input[key] !== undefined) Object.assign(changes, { [key]: input[key] });
      }
      for (const key of ['username', 'clientId', 'role', 'comment'] as const) if (input[key] !== undefined) changes[key] = input[key];
      const current = (await this.rules.list()).find((r) => r.id === id);
      if (current === undefined) throw noRule(id);
      this.checked({ ...current, ...changes });
      const change = await this.rules.update(id, changes, this.position(input.position));
      if (change === null) throw noRule(id);
      await this.reload();
      await this.audit.record({ actor, action: 'updateAclRule', target: id, details: { before: described(change.before), after: described(change.after) } });
      return fromDatabase(change.after);
    });
  }

  delete(actor: string, id: string): Promise<boolean> {
    return this.changes.run(async () => {
      checkId(id);
      const rule = await this.rules.delete(id);
      if (rule === null) throw noRule(id);
      await this.reload();
      await this.audit.record({ actor, action: 'deleteAclRule', target: id, details: { before: described(rule) } });
      return true;
    });
  }

  private async reload(): Promise<void> {
    this.access.replaceRules(await this.rules.list());
  }

  private position(position: number | null | undefined): number | undefined {
    if (position == null) return undefined;
    if (!Number.isInteger(position) || position < 1) throw badInput(`position: ${position}; 1 is the first rule`);
    return position;
  }

  /** A rule that says what it means: a valid filter, whom it names, nothing unbounded. */
  private checked(fields: AclRuleFields): AclRuleFields {
    if (!Object.values(AclPermissionName).includes(fields.permission as AclPermissionName)) throw badInput(`permission: allow or deny`);
    if (!Object.values(AclActionName).includes(fields.action as AclActionName)) throw badInput(`action: publish, subscribe or all`);
    // %c and %u must each stand within a level, as in the ACL file: replaced by a letter, the rule is a filter.
    checkTopicFilter('topic', fields.topic.replaceAll('%c', 'c').replaceAll('%u', 'u'), this.config.maxTopicLevels);
    for (const key of ['username', 'clientId', 'role'] as const) {
      const value = fields[key];
      if (value === null) continue;
      if (value === '') throw badInput(`${key}: leave it out (null) for any, rather than empty`);
      if (Buffer.byteLength(value) > MAX_NAME_BYTES) throw badInput(`${key}: longer than ${MAX_NAME_BYTES} bytes`);
    }
    if (fields.anonymous && fields.username !== null) throw badInput('anonymous: a rule for anonymous clients names no user');
    if (fields.comment !== null && fields.comment.length > MAX_COMMENT_LENGTH) throw badInput(`comment: at most ${MAX_COMMENT_LENGTH} characters`);
    return fields;
  }
}

function checkId(id: string): void {
  if (!/^\d{1,18}$/.test(id)) throw noRule(id);
}

function fromDatabase(r: AclRuleEntity): AclRuleType {
  return {
    id: r.id,
    source: AclRuleSource.database,
    position: r.position,
    permission: r.permission as AclPermissionName,
    action: r.action as AclActionName,
    topic: r.topic,
    username: r.username,
    clientId: r.clientId,
    anonymous: r.anonymous,
    role: r.role,
    comment: r.comment,
    fileLine: null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** A file rule in the same terms: read is subscribe, write is publish, readwrite and deny are all. */
function fromFile(r: AclFileRule): AclRuleType {
  const action = r.access === 'read' ? AclActionName.subscribe : r.access === 'write' ? AclActionName.publish : AclActionName.all;
  return {
    id: `file:${r.line}`,
    source: AclRuleSource.file,
    position: null,
    permission: r.access === 'deny' ? AclPermissionName.deny : AclPermissionName.allow,
    action,
    topic: r.filter,
    username: r.user,
    clientId: null,
    anonymous: r.kind === 'topic' && r.user === null,
    role: null,
    comment: r.kind === 'pattern' ? 'pattern' : null,
    fileLine: r.line,
    createdAt: null,
    updatedAt: null,
  };
}
