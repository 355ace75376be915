import { MigrationInterface, QueryRunner } from 'typeorm';

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
      await q.query(`CREATE FUNCTION ${name}_row_bytes(r ${name}) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT (${rowBytes})::bigint $$`);
      await q.query(`INSERT INTO table_usage SELECT '${name}', count(*), coalesce(sum(${name}_row_bytes(r)), 0) FROM ${name} r`);
      // Rows counted in (INSERT, transition table `added`) and out (DELETE, `removed`) by the same function.
      for (const [change, sign] of [['added', '+'], ['removed', '-']] as const) {
        await q.query(`
          CREATE FUNCTION ${name}_usage_${change}() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            UPDATE table_usage u SET rows = u.rows ${sign} s.n, bytes = u.bytes ${sign} s.b
              FROM (SELECT count(*) AS n, coalesce(sum(${name}_row_bytes(r)), 0) AS b FROM ${change} r) s
              WHERE u.table_name = '${name}';
            RETURN NULL;
          END $$`);
      }
      await q.query(`
        CREATE FUNCTION ${name}_usage_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE table_usage SET rows = 0, bytes = 0 WHERE table_name = '${name}';
          RETURN NULL;
        END $$`);
      await q.query(`CREATE TRIGGER ${name}_usage_added AFTER INSERT ON ${name} REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ${name}_usage_added()`);
      await q.query(`CREATE TRIGGER ${name}_usage_removed AFTER DELETE ON ${name} REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION ${name}_usage_removed()`);
      await q.query(`CREATE TRIGGER ${name}_usage_truncated AFTER TRUNCATE ON ${name} FOR EACH STATEMENT EXECUTE FUNCTION ${name}_usage_truncated()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { name } of TABLES) {
      for (const trigger of ['added', 'removed', 'truncated']) {
        await q.query(`DROP TRIGGER ${name}_usage_${trigger} ON ${name}`);
        await q.query(`DROP FUNCTION ${name}_usage_${trigger}()`);
      }
      await q.query(`DROP FUNCTION ${name}_row_bytes(${name})`);
    }
    await q.query(`DROP TABLE table_usage`);
  }
}
