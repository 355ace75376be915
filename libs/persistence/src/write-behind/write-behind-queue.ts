import { DataSource, EntityManager } from 'typeorm';
import { BinaryCopyWriter } from '../copy/binary-copy';
import { copyRowsIn } from '../copy/copy-from';
import { RetainedRow, SessionMessageRow, SessionRow, StoredMessageRow, SubscriptionRow } from './rows';

/** A session message's changes within one batch. */
interface MessageChange {
  insert?: SessionMessageRow;
  state?: { packetId: number; state: number };
  /** Set when a row stored by an earlier batch is deleted: the stored message it refers to. */
  deletedMessageId?: number;
}

/** A stored message this batch writes, for the session messages it inserts. */
interface StoredChange {
  row: StoredMessageRow;
  /**
   * No earlier batch can have stored it: its id is new. Otherwise an earlier batch stored it and a later
   * one may have deleted it with its last reference, so it is written again unless still there.
   */
  fresh: boolean;
  /** Session messages of this batch that refer to it; at 0 it need not be written. */
  references: number;
}

/** Everything waiting for one commit, reduced to its final state per key. */
class Batch {
  /** Sessions deleted in this batch: their rows (and, by cascade, subscriptions) go first. */
  readonly deletedSessions = new Set<string>();
  readonly sessions = new Map<string, SessionRow>();
  /** Key: client id + NUL + topic filter; null = delete. */
  readonly subscriptions = new Map<string, SubscriptionRow | null>();
  /** Key: topic; null = delete. */
  readonly retained = new Map<string, RetainedRow | null>();
  readonly messages = new Map<number, MessageChange>();
  readonly stored = new Map<number, StoredChange>();
  /** Key: client id + NUL + packet id; true = add, false = remove. */
  readonly inboundQoS2 = new Map<string, boolean>();
  readonly committed: Promise<void>;
  resolve!: () => void;
  size = 0;

  constructor() {
    this.committed = new Promise((resolve) => (this.resolve = resolve));
  }
}

export interface WriteBehindOptions {
  /** Longest wait before a batch is written. */
  maxDelayMs: number;
  /** A batch this large is written at once. */
  maxRows: number;
  /** Called when a write fails and will be retried; the queue keeps everything meanwhile. */
  onError?: (error: unknown, attempt: number) => void;
}

const subscriptionKey = (clientId: string, topicFilter: string): string => `${clientId}\u0000${topicFilter}`;

/**
 * Durable state written beside the hot path: changes are queued as plain rows, reduced to their final
 * state per key, and written every few milliseconds in one transaction of multi-row statements. A write
 * that fails is retried with backoff, in order, and nothing queued is dropped; `committed()` tells when
 * everything queued so far is in the database.
 */
export class WriteBehindQueue {
  private current = new Batch();
  private writing: Batch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private closed = false;
  failures = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: WriteBehindOptions = { maxDelayMs: 5, maxRows: 2000 },
  ) {}

  saveSession(row: SessionRow): void {
    this.current.sessions.set(row.clientId, row);
    this.touched();
  }

  deleteSession(clientId: string): void {
    const batch = this.current;
    batch.sessions.delete(clientId);
    batch.deletedSessions.add(clientId);
    // The cascade removes the stored subscriptions; pending ones for the old session must not follow it.
    const prefix = `${clientId}\u0000`;
    for (const key of batch.subscriptions.keys()) if (key.startsWith(prefix)) batch.subscriptions.delete(key);
    for (const key of batch.inboundQoS2.keys()) if (key.startsWith(prefix)) batch.inboundQoS2.delete(key);
    for (const [id, change] of batch.messages) {
      if (change.insert?.clientId !== clientId) continue;
      batch.messages.delete(id);
      this.dereference(change.insert.messageId);
    }
    this.touched();
  }

  /**
   * Stores what was published, once for all the session messages that refer to it. Each batch that
   * inserts references to it must hold it (`storesMessage` tells whether it does already), since an
   * earlier batch may have deleted it with its last reference. `fresh`: its id is new to this queue.
   */
  storeMessage(row: StoredMessageRow, fresh: boolean): void {
    if (this.current.stored.has(row.id)) return;
    this.current.stored.set(row.id, { row, fresh, references: 0 });
    this.touched();
  }

  /** Whether the batch being gathered already writes this stored message. */
  storesMessage(id: number): boolean {
    return this.current.stored.has(id);
  }

  insertMessage(row: SessionMessageRow): void {
    const stored = this.current.stored.get(row.messageId);
    if (stored === undefined) throw new Error(`session message ${row.id} refers to stored message ${row.messageId}, not stored in this batch`);
    stored.references++;
    this.current.messages.set(row.id, { insert: row });
    this.touched();
  }

  updateMessage(id: number, packetId: number, state: number): void {
    const change = this.change(id);
    if (change.insert) {
      change.insert.packetId = packetId;
      change.insert.state = state;
    } else {
      change.state = { packetId, state };
    }
    this.touched();
  }

  /**
   * The message was acknowledged, expired or dropped. Inserted and deleted in one batch, it never reaches
   * the database, nor does its stored message if nothing else in the batch refers to it. Otherwise the
   * stored message `messageId` goes with its last reference.
   */
  deleteMessage(id: number, messageId: number): void {
    const change = this.change(id);
    if (change.insert) {
      this.current.messages.delete(id);
      this.dereference(change.insert.messageId);
    } else {
      change.deletedMessageId = messageId;
    }
    this.touched();
  }

  private dereference(messageId: number): void {
    const stored = this.current.stored.get(messageId);
    if (stored !== undefined && --stored.references === 0) this.current.stored.delete(messageId);
  }

  setInboundQoS2(clientId: string, packetId: number, present: boolean): void {
    const key = `${clientId}\u0000${packetId}`;
    const batch = this.current;
    // Added and removed within one batch: nothing to write.
    if (!present && batch.inboundQoS2.get(key) === true) batch.inboundQoS2.delete(key);
    else batch.inboundQoS2.set(key, present);
    this.touched();
  }

  private change(id: number): MessageChange {
    let change = this.current.messages.get(id);
    if (change === undefined) {
      change = {};
      this.current.messages.set(id, change);
    }
    return change;
  }

  saveSubscription(row: SubscriptionRow): void {
    this.current.subscriptions.set(subscriptionKey(row.clientId, row.topicFilter), row);
    this.touched();
  }

  deleteSubscription(clientId: string, topicFilter: string): void {
    this.current.subscriptions.set(subscriptionKey(clientId, topicFilter), null);
    this.touched();
  }

  saveRetained(row: RetainedRow): void {
    this.current.retained.set(row.topic, row);
    this.touched();
  }

  deleteRetained(topic: string): void {
    this.current.retained.set(topic, null);
    this.touched();
  }

  /** Resolves once everything queued until now is committed. */
  committed(): Promise<void> {
    return this.current.size === 0 && this.writing ? this.writing.committed : this.current.size === 0 ? Promise.resolve() : this.current.committed;
  }

  /** Writes what is queued and waits for it; used at shutdown. */
  async flush(): Promise<void> {
    const done = this.committed();
    this.schedule(0);
    await done;
  }

  async close(): Promise<void> {
    // A retry pending while the database is away must now hold the process open: otherwise it would
    // exit with the batch unwritten and call that a clean shutdown. The caller's deadline ends the wait.
    this.closing = true;
    this.retryTimer?.ref();
    await this.flush();
    this.closed = true;
    clearTimeout(this.timer);
  }

  private touched(): void {
    const batch = this.current;
    batch.size++;
    if (batch.size >= this.options.maxRows) this.schedule(0);
    else if (batch.size === 1) this.schedule(this.options.maxDelayMs);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNext(0);
    }, delayMs);
  }

  private async writeNext(attempt: number): Promise<void> {
    if (this.writing !== undefined && attempt === 0) return; // the running write picks up the rest
    const batch = this.writing ?? this.current;
    if (batch.size === 0) return;
    if (batch === this.current) this.current = new Batch();
    this.writing = batch;
    try {
      await this.dataSource.transaction((manager) => applyBatch(manager, batch));
    } catch (e) {
      this.failures++;
      this.options.onError?.(e, attempt + 1);
      const backoff = Math.min(5000, 50 * 2 ** attempt);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        void this.writeNext(attempt + 1);
      }, backoff);
      // While running, the listeners keep the process alive; a retry alone need not.
      if (!this.closing) this.retryTimer.unref();
      return;
    }
    this.writing = undefined;
    batch.resolve();
    if (this.current.size > 0) void this.writeNext(0);
  }
}

async function applyBatch(m: EntityManager, batch: Batch): Promise<void> {
  /** Stored messages that lost a reference in this batch: deleted at the end unless one is left. */
  const unreferenced = new Set<number>();
  if (batch.deletedSessions.size > 0) {
    const deleted = [...batch.deletedSessions];
    // Subscriptions and QoS 2 state go by cascade; queued messages have no foreign key (its per-row check was costly).
    const [gone] = (await m.query(
      `WITH gone AS (DELETE FROM session_messages WHERE client_id = ANY($1) RETURNING message_id)
       SELECT array_agg(DISTINCT message_id) AS ids FROM gone`,
      [deleted],
    )) as Array<{ ids: Array<string | number> | null }>;
    for (const id of gone.ids ?? []) unreferenced.add(Number(id));
    await m.query(`DELETE FROM sessions WHERE client_id = ANY($1)`, [deleted]);
  }
  if (batch.sessions.size > 0) {
    const rows = [...batch.sessions.values()];
    await m.query(
      `INSERT INTO sessions (client_id, username, protocol_version, expiry_interval, will_topic, will_payload, will_qos,
         will_retain, will_properties, last_connect_at, last_disconnect_at)
       VALUES ${placeholders(rows.length, 11)}
       ON CONFLICT (client_id) DO UPDATE SET username = EXCLUDED.username, protocol_version = EXCLUDED.protocol_version,
         expiry_interval = EXCLUDED.expiry_interval, will_topic = EXCLUDED.will_topic, will_payload = EXCLUDED.will_payload,
         will_qos = EXCLUDED.will_qos, will_retain = EXCLUDED.will_retain, will_properties = EXCLUDED.will_properties,
         last_connect_at = EXCLUDED.last_connect_at, last_disconnect_at = EXCLUDED.last_disconnect_at`,
      rows.flatMap((r) => [
        r.clientId, r.username, r.protocolVersion, r.expiryInterval, r.willTopic, r.willPayload, r.willQos,
        r.willRetain, r.willProperties, r.lastConnectAt, r.lastDisconnectAt,
      ]),
    );
  }
  const removedSubs = [...batch.subscriptions].filter(([, row]) => row === null).map(([key]) => key.split('\u0000'));
  if (removedSubs.length > 0) {
    await m.query(
      `DELETE FROM subscriptions s USING unnest($1::text[], $2::text[]) AS d(client_id, topic_filter)
       WHERE s.client_id = d.client_id AND s.topic_filter = d.topic_filter`,
      [removedSubs.map((k) => k[0]), removedSubs.map((k) => k.slice(1).join('\u0000'))],
    );
  }
  const savedSubs = [...batch.subscriptions.values()].filter((row): row is SubscriptionRow => row !== null);
  if (savedSubs.length > 0) {
    await m.query(
      `INSERT INTO subscriptions (client_id, topic_filter, qos, no_local, retain_as_published, retain_handling, subscription_id)
       VALUES ${placeholders(savedSubs.length, 7)}
       ON CONFLICT (client_id, topic_filter) DO UPDATE SET qos = EXCLUDED.qos, no_local = EXCLUDED.no_local,
         retain_as_published = EXCLUDED.retain_as_published, retain_handling = EXCLUDED.retain_handling,
         subscription_id = EXCLUDED.subscription_id`,
      savedSubs.flatMap((r) => [r.clientId, r.topicFilter, r.qos, r.noLocal, r.retainAsPublished, r.retainHandling, r.subscriptionId]),
    );
  }
  const inserts: SessionMessageRow[] = [];
  const updates: Array<[number, number, number]> = [];
  const deletes: number[] = [];
  for (const [id, change] of batch.messages) {
    if (change.insert) inserts.push(change.insert);
    else if (change.deletedMessageId !== undefined) {
      deletes.push(id);
      unreferenced.add(change.deletedMessageId);
    } else if (change.state) updates.push([id, change.state.packetId, change.state.state]);
  }
  if (deletes.length > 0) await m.query(`DELETE FROM session_messages WHERE id = ANY($1::bigint[])`, [deletes]);
  if (updates.length > 0) {
    await m.query(
      `UPDATE session_messages s SET packet_id = u.packet_id, state = u.state
       FROM unnest($1::bigint[], $2::int[], $3::smallint[]) AS u(id, packet_id, state) WHERE s.id = u.id`,
      [updates.map((u) => u[0]), updates.map((u) => u[1]), updates.map((u) => u[2])],
    );
  }
  const fresh: StoredMessageRow[] = [];
  const again: StoredMessageRow[] = [];
  for (const stored of batch.stored.values()) (stored.fresh ? fresh : again).push(stored.row);
  if (fresh.length > 0) await copyRowsIn(m, 'stored_messages', STORED_MESSAGE_COLUMNS, encodeStoredMessages(fresh));
  for (let at = 0; at < again.length; at += STORED_AGAIN_SLICE) {
    const slice = again.slice(at, at + STORED_AGAIN_SLICE);
    await m.query(
      `INSERT INTO stored_messages (${STORED_MESSAGE_COLUMNS}) VALUES ${placeholders(slice.length, 9)} ON CONFLICT (id) DO NOTHING`,
      slice.flatMap((r) => [r.id, r.topic, r.payload, r.qos, r.retain, r.properties, r.expiresAt, r.publisherClientId, r.receivedAt]),
    );
  }
  if (inserts.length > 0) await copyRowsIn(m, 'session_messages', SESSION_MESSAGE_COLUMNS, encodeSessionMessages(inserts));
  // After the inserts: a stored message that lost a reference here and gained one stays.
  if (unreferenced.size > 0) {
    await m.query(
      `DELETE FROM stored_messages s WHERE s.id = ANY($1::bigint[])
         AND NOT EXISTS (SELECT 1 FROM session_messages m WHERE m.message_id = s.id)`,
      [[...unreferenced]],
    );
  }
  const qos2 = [...batch.inboundQoS2].map(([key, present]) => ({ key: key.split('\u0000'), present }));
  const qos2Removed = qos2.filter((q) => !q.present);
  if (qos2Removed.length > 0) {
    await m.query(
      `DELETE FROM inbound_qos2 q USING unnest($1::text[], $2::int[]) AS d(client_id, packet_id)
       WHERE q.client_id = d.client_id AND q.packet_id = d.packet_id`,
      [qos2Removed.map((q) => q.key[0]), qos2Removed.map((q) => Number(q.key[1]))],
    );
  }
  const qos2Added = qos2.filter((q) => q.present);
  if (qos2Added.length > 0) {
    await m.query(
      `INSERT INTO inbound_qos2 (client_id, packet_id) VALUES ${placeholders(qos2Added.length, 2)} ON CONFLICT DO NOTHING`,
      qos2Added.flatMap((q) => [q.key[0], Number(q.key[1])]),
    );
  }
  const removedRetained = [...batch.retained].filter(([, row]) => row === null).map(([topic]) => topic);
  if (removedRetained.length > 0) await m.query(`DELETE FROM retained_messages WHERE topic = ANY($1)`, [removedRetained]);
  const savedRetained = [...batch.retained.values()].filter((row): row is RetainedRow => row !== null);
  if (savedRetained.length > 0) {
    await m.query(
      `INSERT INTO retained_messages (topic, payload, qos, properties, expires_at, publisher_client_id, updated_at)
       VALUES ${placeholders(savedRetained.length, 6, ', now()')}
       ON CONFLICT (topic) DO UPDATE SET payload = EXCLUDED.payload, qos = EXCLUDED.qos, properties = EXCLUDED.properties,
         expires_at = EXCLUDED.expires_at, publisher_client_id = EXCLUDED.publisher_client_id, updated_at = now()`,
      savedRetained.flatMap((r) => [r.topic, r.payload, r.qos, r.properties, r.expiresAt, r.publisherClientId]),
    );
  }
}

const STORED_MESSAGE_COLUMNS = 'id, topic, payload, qos, retain, properties, expires_at, publisher_client_id, received_at';
const SESSION_MESSAGE_COLUMNS = 'id, client_id, message_id, qos, retain, subscription_ids, packet_id, state';
/** Rows per INSERT of stored messages written again: 9 parameters each, far below PostgreSQL's 65,535. */
const STORED_AGAIN_SLICE = 1000;

/** Each message queued for persistent sessions, once: one binary COPY. */
function encodeStoredMessages(rows: readonly StoredMessageRow[]): Buffer {
  let bytes = 0;
  for (const r of rows) bytes += 128 + r.payload.length + 3 * r.topic.length + (r.properties?.length ?? 0);
  const out = new BinaryCopyWriter(bytes);
  for (const r of rows) {
    out
      .row(9)
      .int64(r.id)
      .text(r.topic)
      .bytes(r.payload)
      .int16(r.qos)
      .bool(r.retain)
      .bytes(r.properties)
      .timestamp(r.expiresAt === null ? null : r.expiresAt.getTime())
      .text(r.publisherClientId)
      .timestamp(r.receivedAt.getTime());
  }
  return out.toBuffer();
}

/** References to them are the bulk of what a batch writes (one row per message and offline session): one binary COPY. */
function encodeSessionMessages(rows: readonly SessionMessageRow[]): Buffer {
  const out = new BinaryCopyWriter(rows.length * 96);
  for (const r of rows) {
    out.row(8).int64(r.id).text(r.clientId).int64(r.messageId).int16(r.qos).bool(r.retain).int4Array(r.subscriptionIds);
    if (r.packetId === 0) out.null();
    else out.int32(r.packetId);
    out.int16(r.state);
  }
  return out.toBuffer();
}

/** `($1, $2, ...), (...)` for a multi-row VALUES list. */
function placeholders(rows: number, columns: number, extra = ''): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cols: string[] = [];
    for (let c = 1; c <= columns; c++) cols.push(`$${r * columns + c}`);
    out.push(`(${cols.join(', ')}${extra})`);
  }
  return out.join(', ');
}
