import { PacketType, Properties, decodePropertyBlock, topicMatches } from '@nestmq/mqtt-protocol';
import { HistoryRecord, MessageHistoryRepository } from '@nestmq/persistence';
import { Message } from '../routing/message';

interface Pending {
  message: Message;
  username: string | undefined;
}

/**
 * Records the messages whose topic matches HISTORY_TOPICS, beside the hot path: `record` appends to a
 * bounded buffer (a decision cached per topic); a timer writes the buffer in multi-row batches. When the
 * database falls behind and the buffer is full, messages are dropped and counted, never silently.
 */
export class HistoryRecorder {
  recorded = 0;
  dropped = 0;
  private buffer: Pending[] = [];
  private readonly decisions = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly filters: readonly string[],
    private readonly repository: MessageHistoryRepository,
    private readonly maxBuffered: number,
    private readonly flushMs = 20,
  ) {}

  get buffered(): number {
    return this.buffer.length;
  }

  record(message: Message, username: string | undefined): void {
    let wanted = this.decisions.get(message.topic);
    if (wanted === undefined) {
      wanted = this.filters.some((f) => topicMatches(f, message.topic));
      if (this.decisions.size >= 10_000) this.decisions.clear();
      this.decisions.set(message.topic, wanted);
    }
    if (!wanted) return;
    if (this.buffer.length >= this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.buffer.push({ message, username });
    this.timer ??= setTimeout(this.flushNow, this.flushMs);
  }

  /** Writes everything buffered; resolves when it is stored (used at shutdown and by tests). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    while (this.buffer.length > 0) await this.write();
  }

  private readonly flushNow = (): void => {
    this.timer = undefined;
    if (this.writing === undefined) void this.write();
  };

  private write(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.repository
      .insertBatch(batch.map(toRecord))
      .then(
        () => {
          this.recorded += batch.length;
        },
        () => {
          // The database is away: keep what fits, count the rest, try again shortly.
          const room = Math.max(0, this.maxBuffered - this.buffer.length);
          this.dropped += Math.max(0, batch.length - room);
          this.buffer = batch.slice(0, room).concat(this.buffer);
        },
      )
      .finally(() => {
        this.writing = undefined;
        if (this.buffer.length > 0) this.timer ??= setTimeout(this.flushNow, this.flushMs * 10);
      });
    return this.writing;
  }
}

function toRecord({ message: m, username }: Pending): HistoryRecord {
  return {
    topic: m.topic,
    payload: m.payload,
    qos: m.qos,
    retain: m.retain,
    properties: m.properties ? propertiesToJson(decodePropertyBlock(m.properties, PacketType.Publish)) : null,
    publisherClientId: m.publisherId || null,
    publisherUsername: username ?? null,
    receivedAt: new Date(m.receivedAt),
  };
}

/** Properties as JSON: binary values base64, User Properties as [name, value] pairs in order. */
function propertiesToJson(props: Properties | undefined): Record<string, unknown> | null {
  if (props === undefined) return null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) out[key] = Buffer.isBuffer(value) ? value.toString('base64') : value;
  return out;
}
