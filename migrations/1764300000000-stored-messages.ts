import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What was published is stored once, however many persistent sessions it is queued for: a message to N
 * offline sessions was N copies of its payload, so one publisher could grow the database N times faster
 * than it published. Queued messages now refer to a stored message and keep only their delivery's state.
 * The broker deletes a stored message in the transaction that deletes its last reference; there is no
 * foreign key, for the reason migration 1764200000000 gave.
 *
 * Existing queued messages move over with their ids; copies with the same content (topic, payload,
 * properties, expiry) become one stored message. The table is rebuilt rather than altered, so the space
 * the copies took is given back at once instead of when their sessions drain.
 */
export class StoredMessages1764300000000 implements MigrationInterface {
  name = 'StoredMessages1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stored_messages (
        id bigint PRIMARY KEY,
        topic text NOT NULL,
        payload bytea NOT NULL,
        qos smallint NOT NULL,
        retain boolean NOT NULL,
        properties bytea,
        expires_at timestamptz,
        publisher_client_id text,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The old table goes once its rows are copied; its sequence stays and numbers the new table's rows.
    await q.query(`ALTER TABLE session_messages RENAME TO session_messages_before`);
    await q.query(`ALTER TABLE session_messages_before DROP CONSTRAINT session_messages_pkey`);
    await q.query(`DROP INDEX session_messages_by_session`);
    await q.query(`ALTER SEQUENCE session_messages_id_seq OWNED BY NONE`);
    // Queued and in-flight QoS 1/2 messages per session; state 0 queued, 1 sent, 2 PUBREL sent.
    await q.query(`
      CREATE TABLE session_messages (
        id bigint PRIMARY KEY DEFAULT nextval('session_messages_id_seq'),
        client_id text NOT NULL,
        message_id bigint NOT NULL,
        qos smallint NOT NULL,
        retain boolean NOT NULL,
        subscription_ids integer[],
        packet_id integer,
        state smallint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER SEQUENCE session_messages_id_seq OWNED BY session_messages.id`);
    // A digest rather than the payload itself groups the copies: sorting by it never compares payloads.
    await q.query(`
      INSERT INTO session_messages (id, client_id, message_id, qos, retain, subscription_ids, packet_id, state, created_at)
      SELECT id, client_id, first_value(id) OVER same_content, qos, retain, subscription_ids, packet_id, state, created_at
      FROM session_messages_before
      WINDOW same_content AS (PARTITION BY topic, sha256(payload), properties, expires_at ORDER BY id)`);
    await q.query(`
      INSERT INTO stored_messages (id, topic, payload, qos, retain, properties, expires_at, received_at)
      SELECT b.id, b.topic, b.payload, b.qos, b.retain, b.properties, b.expires_at, b.created_at
      FROM session_messages_before b
      WHERE b.id IN (SELECT message_id FROM session_messages)`);
    await q.query(`DROP TABLE session_messages_before`);
    await q.query(`CREATE INDEX session_messages_by_session ON session_messages (client_id, id)`);
    // Finds whether a stored message is still referred to when one of its references is deleted.
    await q.query(`CREATE INDEX session_messages_by_message ON session_messages (message_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE session_messages ADD COLUMN topic text, ADD COLUMN payload bytea, ADD COLUMN properties bytea,
        ADD COLUMN expires_at timestamptz`);
    await q.query(`
      UPDATE session_messages m SET topic = s.topic, payload = s.payload, properties = s.properties, expires_at = s.expires_at
      FROM stored_messages s WHERE s.id = m.message_id`);
    // A reference whose stored message is gone has nothing to put in the old NOT NULL topic and payload.
    await q.query(`DELETE FROM session_messages WHERE topic IS NULL`);
    await q.query(`ALTER TABLE session_messages ALTER COLUMN topic SET NOT NULL, ALTER COLUMN payload SET NOT NULL`);
    await q.query(`ALTER TABLE session_messages DROP COLUMN message_id`);
    await q.query(`DROP TABLE stored_messages`);
  }
}
