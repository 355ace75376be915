import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCRAM-SHA-256 credentials beside each user's bcrypt hash (PostgreSQL's text form: iterations, salt,
 * StoredKey, ServerKey), made whenever a password is set; users made before this migration have none
 * until their next password login fills them in. And the server's own secrets, made once by the broker
 * (the key behind the made-up salts an unknown user name is answered with).
 */
export class ScramCredentials1765040000000 implements MigrationInterface {
  name = 'ScramCredentials1765040000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN scram_sha_256 text`);
    await q.query(`
      CREATE TABLE server_secrets (
        name text PRIMARY KEY,
        secret bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE server_secrets`);
    await q.query(`ALTER TABLE users DROP COLUMN scram_sha_256`);
  }
}
