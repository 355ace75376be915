import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admin API logins: one row per login, which its refresh tokens renew and a logout revokes. Only the
 * current refresh token's id is kept, so a refresh token used twice (copied, stolen) is recognised.
 */
export class AdminSessions1764600000000 implements MigrationInterface {
  name = 'AdminSessions1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE admin_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL,
        refresh_id uuid NOT NULL,
        address text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX admin_sessions_by_username ON admin_sessions (username)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_sessions`);
  }
}
