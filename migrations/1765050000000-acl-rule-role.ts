import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A topic rule may name a role: it then applies to the clients their authenticator gave that role (a JWT
 * claim, the HTTP hook's answer, LDAP group membership).
 */
export class AclRuleRole1765050000000 implements MigrationInterface {
  name = 'AclRuleRole1765050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE acl_rules ADD COLUMN role text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE acl_rules DROP COLUMN role`);
  }
}
