import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Topic rules managed through the admin API, read in position order (first match decides); the ACL
 * file, where there is one, stays a read-only source consulted after them.
 */
export class AclRules1764800000000 implements MigrationInterface {
  name = 'AclRules1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE acl_rules (
        id bigserial PRIMARY KEY,
        position integer NOT NULL,
        permission text NOT NULL,
        action text NOT NULL,
        topic text NOT NULL,
        username text,
        client_id text,
        anonymous boolean NOT NULL DEFAULT false,
        comment text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX acl_rules_position ON acl_rules (position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE acl_rules`);
  }
}
