import { DataSource, EntityManager } from 'typeorm';
import { AclAction, AclPermission, AclRuleEntity } from './acl-rule.entity';

/** What a rule says; its position is managed by the repository. */
export interface AclRuleFields {
  permission: AclPermission;
  action: AclAction;
  topic: string;
  username: string | null;
  clientId: string | null;
  anonymous: boolean;
  role: string | null;
  comment: string | null;
}

export interface AclRuleChange {
  before: AclRuleEntity;
  after: AclRuleEntity;
}

/**
 * The ordered topic rules. Positions stay 1..n without gaps: inserting, moving and deleting shift the
 * rules between, inside one transaction that locks the table, so two changes never interleave.
 */
export class AclRuleRepository {
  constructor(private readonly dataSource: DataSource) {}

  list(): Promise<AclRuleEntity[]> {
    return this.dataSource.getRepository(AclRuleEntity).find({ order: { position: 'ASC', id: 'ASC' } });
  }

  count(): Promise<number> {
    return this.dataSource.getRepository(AclRuleEntity).count();
  }

  /** Adds a rule at `position` (1 = first; beyond the end or absent: last). */
  create(fields: AclRuleFields, position?: number): Promise<AclRuleEntity> {
    return this.locked(async (m, n) => {
      const at = clamp(position ?? n + 1, n + 1);
      await m.query(`UPDATE acl_rules SET position = position + 1 WHERE position >= $1`, [at]);
      const rules = m.getRepository(AclRuleEntity);
      return rules.save(rules.create({ ...fields, position: at }));
    });
  }

  /** Changes a rule and moves it to `position` if given; null when there is no such rule. */
  update(id: string, fields: Partial<AclRuleFields>, position?: number): Promise<AclRuleChange | null> {
    return this.locked(async (m, n) => {
      const rules = m.getRepository(AclRuleEntity);
      const before = await rules.findOneBy({ id });
      if (before === null) return null;
      const from = before.position;
      const to = clamp(position ?? from, n);
      if (to < from) await m.query(`UPDATE acl_rules SET position = position + 1 WHERE position >= $1 AND position < $2`, [to, from]);
      if (to > from) await m.query(`UPDATE acl_rules SET position = position - 1 WHERE position > $1 AND position <= $2`, [from, to]);
      await rules.update({ id }, { ...fields, position: to, updatedAt: new Date() });
      return { before, after: await rules.findOneByOrFail({ id }) };
    });
  }

  /** Removes a rule; null when there is no such rule. */
  delete(id: string): Promise<AclRuleEntity | null> {
    return this.locked(async (m) => {
      const rules = m.getRepository(AclRuleEntity);
      const rule = await rules.findOneBy({ id });
      if (rule === null) return null;
      await rules.delete({ id });
      await m.query(`UPDATE acl_rules SET position = position - 1 WHERE position > $1`, [rule.position]);
      return rule;
    });
  }

  private locked<T>(work: (m: EntityManager, count: number) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`LOCK TABLE acl_rules IN SHARE ROW EXCLUSIVE MODE`);
      return work(m, await m.getRepository(AclRuleEntity).count());
    });
  }
}

function clamp(position: number, last: number): number {
  return Math.min(Math.max(1, Math.trunc(position)), Math.max(1, last));
}
