import { DataSource } from 'typeorm';
import { copyBinary } from '../copy/copy-from';
import { HISTORY_COLUMNS, HistoryRows } from './history-rows';

/** One recorded PUBLISH. */
export interface HistoryRecord {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  /** MQTT 5.0 properties as JSON (binary values base64), or null. */
  properties: Record<string, unknown> | null;
  publisherClientId: string | null;
  publisherUsername: string | null;
  receivedAt: Date;
}

export interface StoredHistoryRecord extends HistoryRecord {
  id: string;
}

export interface HistoryPage {
  records: StoredHistoryRecord[];
  /** Pass back to get the next (older) page; null when there is none. */
  nextCursor: string | null;
}

export interface TopicSummary {
  topic: string;
  firstAt: Date;
  lastAt: Date;
  count: number;
}

const bytes = (value: unknown): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array));

function toRecord(r: Record<string, unknown>): StoredHistoryRecord {
  return {
    id: String(r.id),
    topic: r.topic as string,
    payload: bytes(r.payload),
    qos: Number(r.qos),
    retain: r.retain as boolean,
    properties: (r.properties as Record<string, unknown> | null) ?? null,
    publisherClientId: (r.publisher_client_id as string | null) ?? null,
    publisherUsername: (r.publisher_username as string | null) ?? null,
    receivedAt: new Date(r.received_at as string | Date),
  };
}

/**
 * A topic filter as SQL: a LIKE prefix the index can use, and a regular expression for the exact match
 * (`+` one level, `#` the rest including the parent level, `$` topics kept from leading wildcards).
 */
export function filterToSql(filter: string): { prefix: string; regex: string } {
  const levels = filter.split('/');
  const literal: string[] = [];
  for (const level of levels) {
    if (level === '+' || level === '#') break;
    literal.push(level);
  }
  const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);
  // "a/#" also matches "a": the prefix stops before the separator, the regular expression decides.
  const prefix = escapeLike(literal.join('/'));
  const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`);
  let body = '';
  levels.forEach((level, i) => {
    if (level === '#') body += i > 0 ? '(/.*)?' : '.*';
    else body += (i > 0 ? '/' : '') + (level === '+' ? '[^/]*' : escapeRegex(level));
  });
  // A filter starting with a wildcard does not match topics starting with '$' [MQTT-4.7.2-1].
  const dollarGuard = levels[0] === '+' || levels[0] === '#' ? '(?!\\$)' : '';
  const regex = `^${dollarGuard}${body}$`;
  return { prefix, regex };
}

/** Message history: batched inserts beside the broker's hot path, queries for admins, retention. */
export class MessageHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insertBatch(records: readonly HistoryRecord[]): Promise<void> {
    const rows = new HistoryRows();
    for (const r of records) {
      rows.add(Buffer.from(r.topic, 'utf8'), r.payload, r.qos, r.retain, r.properties === null ? null : JSON.stringify(r.properties), r.publisherClientId, r.publisherUsername, r.receivedAt.getTime());
    }
    await this.insertRows(rows);
  }

  /** Rows already encoded (the broker's recorder builds them without a record object per message), in one COPY. */
  async insertRows(rows: HistoryRows): Promise<void> {
    if (rows.count === 0) return;
    await copyBinary(this.dataSource, 'message_history', HISTORY_COLUMNS, rows.toBuffer());
  }

  /** The latest `limit` messages on a topic, newest first. */
  async latest(topic: string, limit: number): Promise<StoredHistoryRecord[]> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM message_history WHERE topic = $1 ORDER BY received_at DESC, id DESC LIMIT $2`,
      [topic, limit],
    )) as Array<Record<string, unknown>>;
    return rows.map(toRecord);
  }

  /** Messages on topics matching `filter` in [from, to), newest first, a page at a time. */
  async search(filter: string, from: Date, to: Date, limit: number, cursor?: string | null): Promise<HistoryPage> {
    const { prefix, regex } = filterToSql(filter);
    const params: unknown[] = [`${prefix}%`, regex, from, to, limit + 1];
    let after = '';
    if (cursor) {
      const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
      params.push(new Date(at), id);
      after = `AND (received_at, id) < ($6, $7::bigint)`;
    }
    const rows = (await this.dataSource.query(
      `SELECT * FROM message_history
       WHERE topic LIKE $1 AND topic ~ $2 AND received_at >= $3 AND received_at < $4 ${after}
       ORDER BY received_at DESC, id DESC LIMIT $5`,
      params,
    )) as Array<Record<string, unknown>>;
    const records = rows.slice(0, limit).map(toRecord);
    const last = records[records.length - 1];
    const nextCursor = rows.length > limit && last ? Buffer.from(`${last.receivedAt.toISOString()}|${last.id}`).toString('base64url') : null;
    return { records, nextCursor };
  }

  /** Every topic seen, with its first and last message time and its count. */
  async topics(): Promise<TopicSummary[]> {
    const rows = (await this.dataSource.query(
      `SELECT topic, min(received_at) AS first_at, max(received_at) AS last_at, count(*)::bigint AS count
       FROM message_history GROUP BY topic ORDER BY topic`,
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      topic: r.topic as string,
      firstAt: new Date(r.first_at as string | Date),
      lastAt: new Date(r.last_at as string | Date),
      count: Number(r.count),
    }));
  }

  /**
   * Deletes what is older than `olderThan`, and beyond the newest `maxPerTopic` of each of `topics` (all
   * topics when omitted: a scan of the whole table, for the first run). Returns the rows deleted.
   */
  async applyRetention(olderThan: Date, maxPerTopic: number, topics?: readonly string[]): Promise<number> {
    return (await this.deleteOlderThan(olderThan)) + (await this.deleteBeyondCount(maxPerTopic, topics ?? (await this.topicNames())));
  }

  /** In slices, so that a large backlog is never one long statement holding its locks. */
  private async deleteOlderThan(olderThan: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.countDeleted(
        `DELETE FROM message_history WHERE id IN (SELECT id FROM message_history WHERE received_at < $1 LIMIT ${RETENTION_SLICE}) RETURNING 1`,
        [olderThan],
      );
      total += deleted;
      if (deleted < RETENTION_SLICE) return total;
    }
  }

  /**
   * Per topic, the newest `maxPerTopic` rows are found through the (topic, received_at, id) index and
   * everything behind the last of them goes: the work grows with what is deleted, not with the table.
   */
  private async deleteBeyondCount(maxPerTopic: number, topics: readonly string[]): Promise<number> {
    let total = 0;
    for (let i = 0; i < topics.length; i += RETENTION_TOPICS_PER_STATEMENT) {
      total += await this.countDeleted(
        `DELETE FROM message_history m USING (
           SELECT t.topic, cut.received_at, cut.id FROM unnest($1::text[]) AS t(topic)
           CROSS JOIN LATERAL (
             SELECT received_at, id FROM message_history WHERE topic = t.topic ORDER BY received_at DESC, id DESC OFFSET $2 LIMIT 1
           ) cut
         ) c
         WHERE m.topic = c.topic AND (m.received_at, m.id) <= (c.received_at, c.id)
         RETURNING 1`,
        [topics.slice(i, i + RETENTION_TOPICS_PER_STATEMENT), maxPerTopic],
      );
    }
    return total;
  }

  /** Runs a DELETE ... RETURNING and counts in the database, not by sending every deleted row back. */
  private async countDeleted(deleteReturning: string, params: unknown[]): Promise<number> {
    const [row] = (await this.dataSource.query(`WITH deleted AS (${deleteReturning}) SELECT count(*)::int AS n FROM deleted`, params)) as Array<{ n: number }>;
    return Number(row.n);
  }

  private async topicNames(): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT DISTINCT topic FROM message_history`)) as Array<{ topic: string }>;
    return rows.map((r) => r.topic);
  }
}

const RETENTION_SLICE = 50_000;
const RETENTION_TOPICS_PER_STATEMENT = 500;

