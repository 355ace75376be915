import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys for scripts and machines on the admin API: only a SHA-256 of each key is kept (the key is
 * shown once, when made), with its role, expiry, revocation and last use.
 */
export class ApiKeys1764900000000 implements MigrationInterface {
  name = 'ApiKeys1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role text NOT NULL,
        key_hash text NOT NULL,
        prefix text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        last_used_address text,
        use_count bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE UNIQUE INDEX api_keys_by_hash ON api_keys (key_hash)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
  }
}
