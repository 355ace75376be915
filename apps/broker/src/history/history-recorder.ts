import { PacketType, Properties, decodePropertyBlock, topicMatches } from '@nestmq/mqtt-protocol';
import { HistoryBatch, HistoryBuffers, MessageHistoryRepository } from '@nestmq/persistence';
import { Message } from '../routing/message';
import { TopicCache } from '../routing/topic-cache';

/** A topic HISTORY_TOPICS does not match. */
const NOT_RECORDED = -1;
/** A topic to record, not recorded in any round yet. */
const NEVER = -2;
const MAX_ROUND_TOPICS = 100_000;
/**
 * A batch this large is written right away instead of at the timer. At high rates many small COPYs cost
 * the broker less than few large ones (measured, fan-in QoS 1 with every message recorded: writing every
 * 100 ms gave 301,000 messages per CPU-second of broker and database, every 10 ms 462,000), and a
 * database that keeps up never lets the batch grow far beyond this.
 */
const FULL_BATCH_BYTES = 256 * 1024;

/**
 * Records the messages whose topic matches HISTORY_TOPICS, beside the hot path: `record` encodes the
 * message at once into the current batch, in its topic's block (a decision cached per topic), and a timer
 * writes the batch, a row per topic, in one COPY. Encoding at once keeps no message object alive until the write,
 * which would cost more in garbage collection than the encoding. The rows waiting are bounded in count and
 * in bytes: when the database falls behind or is away and a bound is reached, messages are dropped and
 * counted, never silently.
 */
export class HistoryRecorder {
  recorded = 0;
  dropped = 0;
  /** The memory batches are built in, reused from one batch to the next. */
  private readonly buffers = new HistoryBuffers();
  private batch = new HistoryBatch(this.buffers);
  /** A batch the database did not take: written again before anything newer. */
  private unwritten: HistoryBatch | undefined;
  /** When the first message of `batch`, and of `unwritten`, was received (epoch ms). */
  private batchSince = 0;
  private unwrittenSince = 0;
  /** Per topic: NOT_RECORDED, or the retention round in which it was last recorded (cached filter decisions). */
  private readonly decisions: TopicCache<number>;
  private round = 0;
  /** Topics recorded in this round, for the retention job; null when there were too many to list. */
  private roundTopics: string[] | null = [];
  /** Characters of the topics listed this round: bounded like the topic cache. */
  private roundTopicChars = 0;
  private timer: NodeJS.Timeout | undefined;
  /** A write of a full batch is due at the end of this event-loop turn. */
  private writeDue = false;
  private writing: Promise<boolean> | undefined;
  private flushing = false;

  constructor(
    private readonly filters: readonly string[],
    private readonly repository: MessageHistoryRepository,
    private readonly maxBuffered: number,
    private readonly flushMs = 100,
    private readonly maxBufferedBytes = Infinity,
    private readonly topicCacheBytes = 32 * 1024 * 1024,
  ) {
    this.decisions = new TopicCache(topicCacheBytes);
  }

  get buffered(): number {
    return this.batch.count + (this.unwritten?.count ?? 0);
  }

  /** When the oldest message waiting for the database was received (epoch ms); 0 when none waits. */
  get oldestBufferedAt(): number {
    if (this.unwritten !== undefined && this.unwritten.count > 0) return this.unwrittenSince;
    return this.batch.count > 0 ? this.batchSince : 0;
  }

  /** Bytes of messages waiting for the database. */
  get bufferedBytes(): number {
    return this.batch.byteLength + (this.unwritten?.byteLength ?? 0);
  }

  record(message: Message, username: string | undefined): void {
    const topic = message.topic;
    let seen = this.decisions.get(topic);
    if (seen === undefined) {
      seen = this.filters.some((f) => topicMatches(f, topic)) ? NEVER : NOT_RECORDED;
      this.decisions.set(topic, seen);
    }
    if (seen === NOT_RECORDED) return;
    if (this.buffered >= this.maxBuffered || this.bufferedBytes + message.payload.length > this.maxBufferedBytes) {
      this.dropped++;
      return;
    }
    if (seen !== this.round) {
      // Once per topic and round: the retention job trims only the topics that grew.
      this.decisions.set(topic, this.round);
      if (this.roundTopics !== null) {
        this.roundTopicChars += topic.length;
        if (this.roundTopics.length < MAX_ROUND_TOPICS && this.roundTopicChars * 2 <= this.topicCacheBytes) this.roundTopics.push(topic);
        else this.roundTopics = null;
      }
    }
    const properties = message.properties ? JSON.stringify(propertiesToJson(decodePropertyBlock(message.properties, PacketType.Publish))) : null;
    if (this.batch.count === 0) this.batchSince = message.receivedAt;
    this.batch.add(topic, message.topicBytes, message.payload, message.qos, message.retain, properties, message.publisherId || null, username ?? null, message.receivedAt);
    if (this.batch.byteLength >= FULL_BATCH_BYTES) this.writeSoon();
    else this.timer ??= setTimeout(this.flushNow, this.flushMs).unref();
  }

  /** Writes the batch once the current turn is over; a write in progress does it when it ends. */
  private writeSoon(): void {
    if (this.writeDue || this.writing !== undefined || this.flushing) return;
    this.writeDue = true;
    setImmediate(this.flushNow);
  }

  /**
   * The topics recorded since the last call (null: too many to list, trim them all), and a new round
   * begins. For the retention job, so that trimming by count follows what was written, not the table.
   */
  takeRecordedTopics(): string[] | null {
    const topics = this.roundTopics;
    this.roundTopics = [];
    this.roundTopicChars = 0;
    this.round++;
    return topics;
  }

  /**
   * Writes everything buffered (at shutdown, and in tests). A database that refuses is tried again every
   * 200 ms until `giveUpMs` have passed; what could not be written by then is counted as dropped.
   */
  async flush(giveUpMs = 3000): Promise<void> {
    // While flushing, the timer stays out of the way: two writes of one batch would store it twice.
    this.flushing = true;
    try {
      await this.flushUntil(Date.now() + giveUpMs);
    } finally {
      this.flushing = false;
    }
  }

  private async flushUntil(giveUpAt: number): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    while (this.buffered > 0) {
      if (await this.write()) continue;
      if (Date.now() >= giveUpAt) {
        this.dropped += this.buffered;
        this.unwritten?.release();
        this.unwritten = undefined;
        this.batch.release();
        this.batch = new HistoryBatch(this.buffers);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private readonly flushNow = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writeDue = false;
    if (this.writing === undefined && !this.flushing) void this.write();
  };

  /** True when the batch was stored. */
  private write(): Promise<boolean> {
    let batch = this.unwritten;
    if (batch === undefined) {
      batch = this.batch;
      this.batch = new HistoryBatch(this.buffers);
      this.unwrittenSince = this.batchSince;
    }
    this.unwritten = batch;
    this.writing = this.repository
      .insertRows(batch)
      .then(
        () => {
          this.recorded += batch.count;
          this.unwritten = undefined;
          batch.release();
          return true;
        },
        // The database is away: the batch stays for the next attempt, new rows are bounded by maxBuffered.
        () => false,
      )
      .finally(() => {
        this.writing = undefined;
        if (this.buffered === 0) return;
        if (this.unwritten === undefined && this.batch.byteLength >= FULL_BATCH_BYTES) this.writeSoon();
        else this.timer ??= setTimeout(this.flushNow, this.unwritten ? this.flushMs * 10 : this.flushMs).unref();
      });
    return this.writing;
  }
}

/** Properties as JSON: binary values base64, User Properties as [name, value] pairs in order. */
export function propertiesToJson(props: Properties | undefined): Record<string, unknown> | null {
  if (props === undefined) return null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) out[key] = Buffer.isBuffer(value) ? value.toString('base64') : value;
  return out;
}
