import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropUsageTriggers, usageTriggers } from './support/usage-triggers';

/** The two tables clients fill without a bound of their own: every published message, every connect. */
const TABLES = [
  {
    name: 'message_history',
    // About what a row takes on disk, counted the same way when it comes and when it goes: its texts and
    // payload, the topic once more for its index, and 160 bytes for the tuple header, the fixed columns and
    // three index entries (measured: rows of a 9-byte topic and a 15-byte payload take about 200 bytes).
    // jsonb as text: deterministic, whatever the storage compressed.
    rowBytes: `160 + 2 * octet_length(r.topic) + octet_length(r.payload) + coalesce(octet_length(r.properties::text), 0)
      + coalesce(octet_length(r.publisher_client_id), 0) + coalesce(octet_length(r.publisher_username), 0)`,
  },
  {
    name: 'session_events',
    // The client identifier once more for its index.
    rowBytes: `160 + coalesce(octet_length(r.username), 0) + 2 * octet_length(r.client_id) + octet_length(r.action)
      + coalesce(octet_length(r.details::text), 0)`,
  },
];

/**
 * Rows and bytes of the message history and of the session events, kept current by triggers, so that
 * HISTORY_MAX_BYTES and SESSION_EVENTS_MAX_BYTES cost one row read to check instead of a scan. Statement
 * triggers with transition tables: one update per COPY batch or DELETE, not one per row.
 */
export class TableUsage1764400000000 implements MigrationInterface {
  name = 'TableUsage1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE table_usage (
        table_name text PRIMARY KEY,
        rows bigint NOT NULL,
        bytes bigint NOT NULL
      )`);
    for (const { name, rowBytes } of TABLES) {
      for (const sql of usageTriggers(name, rowBytes)) await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { name } of TABLES) {
      for (const sql of dropUsageTriggers(name)) await q.query(sql);
    }
    await q.query(`DROP TABLE table_usage`);
  }
}
