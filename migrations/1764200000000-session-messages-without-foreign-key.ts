import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Queued messages no longer check their session through a foreign key. The check ran once per inserted
 * row and locked the session's row each time (SELECT ... FOR KEY SHARE), which doubled the cost of
 * queueing a message for an offline session. The broker deletes a session's messages in the same
 * transaction as the session itself, which is what ON DELETE CASCADE did.
 */
export class SessionMessagesWithoutForeignKey1764200000000 implements MigrationInterface {
  name = 'SessionMessagesWithoutForeignKey1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE session_messages DROP CONSTRAINT session_messages_client_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM session_messages m WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.client_id = m.client_id)`);
    await q.query(`
      ALTER TABLE session_messages ADD CONSTRAINT session_messages_client_id_fkey
        FOREIGN KEY (client_id) REFERENCES sessions (client_id) ON DELETE CASCADE`);
  }
}
