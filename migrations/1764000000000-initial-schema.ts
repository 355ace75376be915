import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first schema: users, durable sessions with their subscriptions and messages, retained messages,
 * message history and session events. Plain SQL that PostgreSQL and the embedded PGlite both run.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        roles text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE sessions (
        client_id text PRIMARY KEY,
        username text,
        protocol_version smallint NOT NULL,
        expiry_interval bigint NOT NULL,
        will_topic text,
        will_payload bytea,
        will_qos smallint,
        will_retain boolean,
        will_properties bytea,
        will_delay_interval bigint,
        last_connect_at timestamptz NOT NULL DEFAULT now(),
        last_disconnect_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE subscriptions (
        client_id text NOT NULL REFERENCES sessions (client_id) ON DELETE CASCADE,
        topic_filter text NOT NULL,
        qos smallint NOT NULL,
        no_local boolean NOT NULL DEFAULT false,
        retain_as_published boolean NOT NULL DEFAULT false,
        retain_handling smallint NOT NULL DEFAULT 0,
        subscription_id integer NOT NULL DEFAULT 0,
        PRIMARY KEY (client_id, topic_filter)
      )`);
    // Queued and in-flight QoS 1/2 messages per session; state 0 queued, 1 sent, 2 PUBREL sent.
    await q.query(`
      CREATE TABLE session_messages (
        id bigserial PRIMARY KEY,
        client_id text NOT NULL REFERENCES sessions (client_id) ON DELETE CASCADE,
        topic text NOT NULL,
        payload bytea NOT NULL,
        qos smallint NOT NULL,
        retain boolean NOT NULL,
        properties bytea,
        subscription_ids integer[],
        expires_at timestamptz,
        packet_id integer,
        state smallint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX session_messages_by_session ON session_messages (client_id, id)`);
    // QoS 2 PUBLISH received and acknowledged with PUBREC, awaiting PUBREL.
    await q.query(`
      CREATE TABLE inbound_qos2 (
        client_id text NOT NULL REFERENCES sessions (client_id) ON DELETE CASCADE,
        packet_id integer NOT NULL,
        PRIMARY KEY (client_id, packet_id)
      )`);
    await q.query(`
      CREATE TABLE retained_messages (
        topic text PRIMARY KEY,
        payload bytea NOT NULL,
        qos smallint NOT NULL,
        properties bytea,
        expires_at timestamptz,
        publisher_client_id text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE message_history (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        payload bytea NOT NULL,
        qos smallint NOT NULL,
        retain boolean NOT NULL,
        properties jsonb,
        publisher_client_id text,
        publisher_username text,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX message_history_by_topic_time ON message_history (topic, received_at DESC, id DESC)`);
    await q.query(`CREATE INDEX message_history_by_time ON message_history (received_at, id)`);
    await q.query(`
      CREATE TABLE session_events (
        id bigserial PRIMARY KEY,
        username text,
        client_id text NOT NULL,
        action text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        details jsonb
      )`);
    await q.query(`CREATE INDEX session_events_by_client_time ON session_events (client_id, at DESC)`);
    await q.query(`CREATE INDEX session_events_by_time ON session_events (at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['session_events', 'message_history', 'retained_messages', 'inbound_qos2', 'session_messages', 'subscriptions', 'sessions', 'users']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
