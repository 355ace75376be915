import { DataSource } from 'typeorm';
import { BinaryCopyWriter } from '../copy/binary-copy';
import { copyBinary } from '../copy/copy-from';

/**
 * What happened to a client's session. Publishes are not among them on purpose: the message history
 * records those, and an event per PUBLISH would put a row on the broker's hot path.
 */
export type SessionEventAction = 'connect' | 'connect_refused' | 'disconnect' | 'kicked' | 'subscribe' | 'unsubscribe' | 'expired' | 'reauthenticate';

export interface SessionEvent {
  clientId: string;
  /** The authenticated user; for `connect_refused`, the name the client claimed. */
  username: string | null;
  action: SessionEventAction;
  at: Date;
  /** Action-specific facts (reason code, keep alive, topic filters...) as JSON. */
  details: Record<string, unknown> | null;
}

export interface StoredSessionEvent extends SessionEvent {
  id: string;
}

export interface SessionEventPage {
  events: StoredSessionEvent[];
  /** Pass back to get the next (older) page; null when there is none. */
  nextCursor: string | null;
}

export interface SessionEventFilter {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  /** Any of these actions; absent or empty = every action. */
  actions?: readonly SessionEventAction[];
  username?: string;
  clientId?: string;
}

/** The session_events columns a batch fills, in COPY order (id is the sequence's). */
const COLUMNS = 'username, client_id, action, at, details';

/**
 * `at` as whole microseconds since the epoch, for the cursor: a timestamp rounded to milliseconds would
 * skip rows that share the millisecond but not the microsecond (rows written with the default now()).
 */
const SELECT = `SELECT id, username, client_id, action, at, details,
  (extract(epoch FROM at) * 1000000)::bigint::text AS at_micros FROM session_events`;
const AFTER_CURSOR = (n: number): string => `(at, id) < (timestamptz 'epoch' + $${n}::bigint * interval '1 microsecond', $${n + 1}::bigint)`;

type Row = Record<string, unknown>;

function toEvent(r: Row): StoredSessionEvent {
  return {
    id: String(r.id),
    clientId: r.client_id as string,
    username: (r.username as string | null) ?? null,
    action: r.action as SessionEventAction,
    at: new Date(r.at as string | Date),
    details: (r.details as Record<string, unknown> | null) ?? null,
  };
}

/** Session events: batched inserts beside the broker's hot path, the queries of an admin audit view, retention. */
export class SessionEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One COPY for the whole batch: a connect storm costs the database one statement, not one per client. */
  async insertBatch(events: readonly SessionEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = new BinaryCopyWriter(events.length * 160);
    for (const e of events) {
      rows.row(5).text(e.username).text(e.clientId).text(e.action).timestamp(e.at.getTime());
      rows.jsonb(e.details === null ? null : JSON.stringify(e.details));
    }
    await copyBinary(this.dataSource, 'session_events', COLUMNS, rows.toBuffer());
  }

  /** A client's events, newest first, a page at a time. */
  async ofClient(clientId: string, limit: number, cursor?: string | null): Promise<SessionEventPage> {
    const params: unknown[] = [clientId, limit + 1];
    const where = ['client_id = $1'];
    if (cursor) where.push(this.after(cursor, params));
    return this.page(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT $2`, params, limit);
  }

  /** Events in [from, to), by action, user name and client if asked, newest first, a page at a time. */
  async search(filter: SessionEventFilter, limit: number, cursor?: string | null): Promise<SessionEventPage> {
    const params: unknown[] = [limit + 1, filter.from, filter.to];
    const where = ['at >= $2', 'at < $3'];
    if (filter.actions !== undefined && filter.actions.length > 0) {
      // One placeholder per action: the embedded driver and `pg` agree on scalars, not on array parameters.
      where.push(`action IN (${filter.actions.map((a) => `$${params.push(a)}`).join(', ')})`);
    }
    if (filter.username !== undefined) where.push(`username = $${params.push(filter.username)}`);
    if (filter.clientId !== undefined) where.push(`client_id = $${params.push(filter.clientId)}`);
    if (cursor) where.push(this.after(cursor, params));
    return this.page(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT $1`, params, limit);
  }

  /** Deletes the events older than `olderThan` (SESSION_EVENTS_RETENTION); returns how many. */
  async deleteOlderThan(olderThan: Date): Promise<number> {
    // Counted in SQL: the two drivers report the rows of a DELETE ... RETURNING differently.
    const [row] = (await this.dataSource.query(
      `WITH deleted AS (DELETE FROM session_events WHERE at < $1 RETURNING 1) SELECT count(*)::int AS n FROM deleted`,
      [olderThan],
    )) as Row[];
    return Number(row.n);
  }

  /** The keyset condition of a cursor, its values appended to `params`. */
  private after(cursor: string, params: unknown[]): string {
    const [micros, id] = Buffer.from(cursor, 'base64url').toString().split('|');
    if (!/^-?\d+$/.test(micros ?? '') || !/^\d+$/.test(id ?? '')) throw new RangeError('not a session event cursor');
    const n = params.push(micros, id) - 1;
    return AFTER_CURSOR(n);
  }

  private async page(sql: string, params: unknown[], limit: number): Promise<SessionEventPage> {
    const rows = (await this.dataSource.query(sql, params)) as Row[];
    const events = rows.slice(0, limit).map(toEvent);
    const last = rows[limit - 1];
    const nextCursor = rows.length > limit && last ? Buffer.from(`${last.at_micros as string}|${String(last.id)}`).toString('base64url') : null;
    return { events, nextCursor };
  }
}
