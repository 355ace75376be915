import { DataSource } from 'typeorm';
import { copyBinary } from '../copy/copy-from';
import { BlockMessage, HISTORY_BLOCK_COLUMNS, HistoryBatch, decodeBlock } from './history-batch';

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
  /** `<block id>.<index in the block>`: stable for as long as the message is kept. */
  id: string;
}

export interface HistoryPage {
  records: StoredHistoryRecord[];
  /** Pass back to get the next (older) page; null when there is none. */
  nextCursor: string | null;
}

/** What else a searched message must match besides its topic and time. */
export interface MessageMatch {
  clientId?: string;
  username?: string;
  /** Bytes of this UTF-8 text somewhere in the payload. */
  payloadContains?: string;
}

export interface TopicSummary {
  topic: string;
  firstAt: Date;
  lastAt: Date;
  count: number;
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

/** A block row as the queries select it. */
interface BlockRow {
  id: string;
  topic: string;
  first_at: Date;
  last_at: Date;
  count: number;
  messages: Buffer;
}

const BLOCK_FIELDS = 'id, topic, first_at, last_at, count, messages';
/** Blocks read per query while collecting a page: a page usually needs one round. */
const BLOCKS_PER_READ = 64;
/** Blocks one page may read at most; a page that found too little ends early with a cursor to go on. */
const MAX_BLOCKS_PER_PAGE = 2048;

/** A decoded message with where it came from, in the one order every query uses: time, then block, then index. */
interface Located {
  block: BlockRow;
  message: BlockMessage;
}

const blockId = (located: Located): bigint => BigInt(located.block.id);

/** Newest first: by time, then by block id, then by place in the block. */
function newestFirst(a: Located, b: Located): number {
  return b.message.receivedAtMs - a.message.receivedAtMs || Number(blockId(b) - blockId(a)) || b.message.index - a.message.index;
}

function toRecord({ block, message }: Located): StoredHistoryRecord {
  return {
    id: `${block.id}.${message.index}`,
    topic: block.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    properties: message.propertiesJson === null ? null : (JSON.parse(message.propertiesJson) as Record<string, unknown>),
    publisherClientId: message.publisherClientId,
    publisherUsername: message.publisherUsername,
    receivedAt: new Date(message.receivedAtMs),
  };
}

/** A page position: the last message handed out, in the newest-first order. */
interface Cursor {
  atMs: number;
  block: bigint;
  index: number;
}

function encodeCursor(l: Located): string {
  return Buffer.from(`${l.message.receivedAtMs}|${l.block.id}|${l.message.index}`).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  const [at, block, index] = Buffer.from(text, 'base64url').toString().split('|');
  if (!/^-?\d+$/.test(at ?? '') || !/^\d+$/.test(block ?? '') || !/^-?\d+$/.test(index ?? '')) throw new RangeError('not a history cursor');
  return { atMs: Number(at), block: BigInt(block), index: Number(index) };
}

/** Whether `l` comes after the cursor in newest-first order. */
function isAfter(l: Located, c: Cursor): boolean {
  const at = l.message.receivedAtMs;
  if (at !== c.atMs) return at < c.atMs;
  const block = blockId(l);
  if (block !== c.block) return block < c.block;
  return l.message.index < c.index;
}

/**
 * Message history, stored as blocks (one row per topic and batch: see HistoryBatch): batched inserts
 * beside the broker's hot path, queries for admins that decode the blocks they need, retention.
 */
export class MessageHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insertBatch(records: readonly HistoryRecord[]): Promise<void> {
    const batch = new HistoryBatch();
    for (const r of records) {
      batch.add(r.topic, Buffer.from(r.topic, 'utf8'), r.payload, r.qos, r.retain, r.properties === null ? null : JSON.stringify(r.properties), r.publisherClientId, r.publisherUsername, r.receivedAt.getTime());
    }
    await this.insertRows(batch);
  }

  /** A batch already encoded (the broker's recorder builds it without an object per message), in one COPY. */
  async insertRows(batch: HistoryBatch): Promise<void> {
    if (batch.count === 0) return;
    await copyBinary(this.dataSource, 'history_blocks', HISTORY_BLOCK_COLUMNS, batch.toCopyData());
  }

  /** The latest `limit` messages on a topic, newest first. */
  async latest(topic: string, limit: number): Promise<StoredHistoryRecord[]> {
    const page = await this.collect(`topic = $1`, [topic], limit, undefined);
    return page.found.map(toRecord);
  }

  /** Messages on topics matching `filter` in [from, to), newest first, a page at a time. */
  async search(filter: string, from: Date, to: Date, limit: number, cursor?: string | null, match: MessageMatch = {}): Promise<HistoryPage> {
    const { prefix, regex } = filterToSql(filter);
    const fromMs = from.getTime();
    const toMs = to.getTime();
    const needle = match.payloadContains === undefined ? undefined : Buffer.from(match.payloadContains, 'utf8');
    const page = await this.collect(
      `topic LIKE $1 AND topic ~ $2 AND last_at >= $3 AND first_at < $4`,
      [`${prefix}%`, regex, from, to],
      limit,
      cursor ? decodeCursor(cursor) : undefined,
      (m) =>
        m.receivedAtMs >= fromMs &&
        m.receivedAtMs < toMs &&
        (match.clientId === undefined || m.publisherClientId === match.clientId) &&
        (match.username === undefined || m.publisherUsername === match.username) &&
        (needle === undefined || m.payload.includes(needle)),
    );
    const last = page.found[page.found.length - 1];
    const nextCursor = page.resumeAt !== undefined ? page.resumeAt : page.more && last ? encodeCursor(last) : null;
    return { records: page.found.map(toRecord), nextCursor };
  }

  /**
   * The newest `limit` messages of the blocks matching `where` (and `wanted`), after `cursor`. Blocks are
   * read newest last_at first; a block read later may still hold a message newer than one already found
   * (blocks of different batches overlap in time), so the page is complete only once the next block's
   * newest message is older than the page's oldest.
   */
  private async collect(
    where: string,
    params: unknown[],
    limit: number,
    cursor: Cursor | undefined,
    wanted: (m: BlockMessage) => boolean = () => true,
  ): Promise<{ found: Located[]; more: boolean; resumeAt?: string }> {
    const found: Located[] = [];
    let readPast: { lastAt: Date; id: string } | undefined;
    let scanned = 0;
    const at = params.length;
    const cursorClause = cursor ? ` AND first_at <= $${at + 1}` : '';
    const cursorParams = cursor ? [new Date(cursor.atMs)] : [];
    for (;;) {
      const pastClause = readPast ? ` AND (last_at, id) < ($${at + cursorParams.length + 1}, $${at + cursorParams.length + 2}::bigint)` : '';
      const rows = (await this.dataSource.query(
        `SELECT ${BLOCK_FIELDS} FROM history_blocks WHERE ${where}${cursorClause}${pastClause} ORDER BY last_at DESC, id DESC LIMIT ${BLOCKS_PER_READ}`,
        [...params, ...cursorParams, ...(readPast ? [readPast.lastAt, readPast.id] : [])],
      )) as BlockRow[];
      for (const block of rows) {
        for (const message of decodeBlock(block.messages)) {
          const located = { block, message };
          if (wanted(message) && (cursor === undefined || isAfter(located, cursor))) found.push(located);
        }
      }
      found.sort(newestFirst);
      const exhausted = rows.length < BLOCKS_PER_READ;
      const next = rows[rows.length - 1];
      // Every block still unread has last_at <= next.last_at: nothing in them is newer than that.
      const settled = found.length > limit && (exhausted || found[limit].message.receivedAtMs > next.last_at.getTime());
      if (exhausted || settled) {
        const more = found.length > limit;
        found.length = Math.min(found.length, limit);
        return { found, more };
      }
      if (found.length > limit) found.length = limit + 1;
      scanned += rows.length;
      if (scanned >= MAX_BLOCKS_PER_PAGE) {
        // A filter that matches little must not read the whole history in one request: what is found at
        // or after the last block read is final, the rest is looked at again from there by the next page.
        const edge = next.last_at.getTime();
        const final = found.filter((l) => l.message.receivedAtMs >= edge);
        if (final.length > limit) return { found: final.slice(0, limit), more: true };
        return { found: final, more: true, resumeAt: Buffer.from(`${edge}|${next.id}|-1`).toString('base64url') };
      }
      readPast = { lastAt: next.last_at, id: next.id };
    }
  }

  /** Every topic seen, with its first and last message time and its count. */
  async topics(): Promise<TopicSummary[]> {
    const rows = (await this.dataSource.query(
      `SELECT topic, min(first_at) AS first_at, max(last_at) AS last_at, sum(count)::bigint AS count
       FROM history_blocks GROUP BY topic ORDER BY topic`,
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
   * topics when omitted: a scan of the whole table, for the first run). Returns the messages deleted.
   */
  async applyRetention(olderThan: Date, maxPerTopic: number, topics?: readonly string[]): Promise<number> {
    return (await this.deleteOlderThan(olderThan)) + (await this.deleteBeyondCount(maxPerTopic, topics ?? (await this.topicNames())));
  }

  /**
   * Whole blocks older than the cut go in slices, so that a large backlog is never one long statement
   * holding its locks; a block the cut passes through keeps its newer messages.
   */
  private async deleteOlderThan(olderThan: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const [row] = (await this.dataSource.query(
        `WITH gone AS (
           DELETE FROM history_blocks WHERE id IN (SELECT id FROM history_blocks WHERE last_at < $1 LIMIT ${RETENTION_SLICE}) RETURNING count
         )
         SELECT count(*)::int AS blocks, coalesce(sum(count), 0)::bigint AS messages FROM gone`,
        [olderThan],
      )) as Array<{ blocks: number; messages: string }>;
      total += Number(row.messages);
      if (Number(row.blocks) < RETENTION_SLICE) break;
    }
    const cutMs = olderThan.getTime();
    const straddling = (await this.dataSource.query(`SELECT ${BLOCK_FIELDS} FROM history_blocks WHERE first_at < $1 AND last_at >= $1`, [olderThan])) as BlockRow[];
    for (const block of straddling) {
      const messages = decodeBlock(block.messages);
      total += await this.keepOnly(block, messages.filter((m) => m.receivedAtMs >= cutMs));
    }
    return total;
  }

  /**
   * Per topic, the blocks are walked newest first (through the (topic, last_at, id) index) until they
   * hold `maxPerTopic` messages: the older blocks go, and the block that reaches the count keeps only
   * the messages still within it. The work grows with what is deleted, not with the table.
   */
  private async deleteBeyondCount(maxPerTopic: number, topics: readonly string[]): Promise<number> {
    let total = 0;
    for (let i = 0; i < topics.length; i += RETENTION_TOPICS_PER_STATEMENT) {
      const cuts = (await this.dataSource.query(
        `SELECT t.topic, cut.id, cut.last_at, cut.newer FROM unnest($1::text[]) AS t(topic)
         CROSS JOIN LATERAL (
           SELECT id, last_at, running - count AS newer FROM (
             SELECT id, last_at, count, sum(count) OVER (ORDER BY last_at DESC, id DESC) AS running
             FROM history_blocks WHERE topic = t.topic ORDER BY last_at DESC, id DESC
           ) w WHERE running >= $2 LIMIT 1
         ) cut`,
        [topics.slice(i, i + RETENTION_TOPICS_PER_STATEMENT), maxPerTopic],
      )) as Array<{ topic: string; id: string; last_at: Date; newer: string }>;
      for (const cut of cuts) {
        const [row] = (await this.dataSource.query(
          `WITH gone AS (DELETE FROM history_blocks WHERE topic = $1 AND (last_at, id) < ($2, $3::bigint) RETURNING count)
           SELECT coalesce(sum(count), 0)::bigint AS messages FROM gone`,
          [cut.topic, cut.last_at, cut.id],
        )) as Array<{ messages: string }>;
        total += Number(row.messages);
        const keep = maxPerTopic - Number(cut.newer);
        const [block] = (await this.dataSource.query(`SELECT ${BLOCK_FIELDS} FROM history_blocks WHERE id = $1`, [cut.id])) as BlockRow[];
        if (block === undefined || block.count <= keep) continue;
        const newest = decodeBlock(block.messages)
          .map((message) => ({ block, message }))
          .sort(newestFirst)
          .slice(0, keep)
          .map((l) => l.message);
        total += await this.keepOnly(block, newest);
      }
    }
    return total;
  }

  /** Rewrites a block with some of its messages (in their recorded order); returns how many it lost. */
  private async keepOnly(block: BlockRow, kept: readonly BlockMessage[]): Promise<number> {
    const lost = block.count - kept.length;
    if (lost === 0) return 0;
    if (kept.length === 0) {
      await this.dataSource.query(`DELETE FROM history_blocks WHERE id = $1`, [block.id]);
      return lost;
    }
    const inOrder = [...kept].sort((a, b) => a.index - b.index);
    const messages = Buffer.concat(inOrder.map((m) => block.messages.subarray(m.start, m.end)));
    const times = inOrder.map((m) => m.receivedAtMs);
    // Deleted and inserted again under its id, rather than updated: the usage triggers count rows that
    // come and go, so the block is counted out at its old size and in at its new one.
    await this.dataSource.query(
      `WITH old AS (DELETE FROM history_blocks WHERE id = $1 RETURNING id, topic)
       INSERT INTO history_blocks (id, topic, first_at, last_at, count, messages) SELECT id, topic, $4, $5, $3, $2 FROM old`,
      [block.id, messages, inOrder.length, new Date(Math.min(...times)), new Date(Math.max(...times))],
    );
    return lost;
  }

  private async topicNames(): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT DISTINCT topic FROM history_blocks`)) as Array<{ topic: string }>;
    return rows.map((r) => r.topic);
  }
}

const RETENTION_SLICE = 50_000;
const RETENTION_TOPICS_PER_STATEMENT = 500;
