import { Buffer } from 'node:buffer';
import { COPY_HEADER, PG_EPOCH_MS, int32, int64 } from '../copy/binary-copy';

/** The history_blocks columns a batch fills, in COPY order (id is left to its sequence). */
export const HISTORY_BLOCK_COLUMNS = 'topic, first_at, last_at, count, messages';

/**
 * A message in a block:
 *   int64  received at, milliseconds since 1970 (big-endian, as every number here)
 *   uint8  flags: QoS (bits 0-1), retain (bit 2), properties (bit 3), publisher client id (bit 4), user (bit 5)
 *   uint32 payload length, payload
 *   uint32 length, properties as JSON text     (when its flag is set)
 *   uint32 length, publisher client identifier (when its flag is set)
 *   uint32 length, publisher user name         (when its flag is set)
 */
const RETAIN = 0x04;
const HAS_PROPERTIES = 0x08;
const HAS_CLIENT = 0x10;
const HAS_USER = 0x20;

/** Bytes of encoded client identifiers and user names a batch keeps for reuse (text and bytes counted). */
const MAX_ENCODED_BYTES = 1024 * 1024;
/** A block's first buffer starts this small: with many topics, most blocks hold one or two messages. */
const MIN_BLOCK_BYTES = 256;

/**
 * The memory batches are built in, kept from batch to batch: at the broker's message rates, allocating
 * it anew for every batch (and growing it by copying) cost more in copies and garbage collection than
 * the encoding itself. A block fills small first buffer, then fixed-size chunks taken from here and
 * given back once the batch is written; the COPY data of a batch is assembled in one reused buffer.
 */
export class HistoryBuffers {
  private readonly spare: Buffer[] = [];
  private copyData: Buffer | undefined;

  constructor(
    readonly chunkBytes = 64 * 1024,
    private readonly maxSpareChunks = 256,
    /** A COPY buffer grown larger than this by a burst is let go after use instead of kept. */
    private readonly maxKeptCopyBytes = 16 * 1024 * 1024,
  ) {}

  /** Chunks waiting to be reused. */
  get spareChunks(): number {
    return this.spare.length;
  }

  takeChunk(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(this.chunkBytes);
  }

  giveChunk(chunk: Buffer): void {
    if (chunk.length === this.chunkBytes && this.spare.length < this.maxSpareChunks) this.spare.push(chunk);
  }

  /** A buffer of at least `bytes` for one batch's COPY data, valid until the next call. */
  copyBuffer(bytes: number): Buffer {
    if (this.copyData !== undefined && this.copyData.length >= bytes) return this.copyData;
    const fresh = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * (this.copyData?.length ?? 0)));
    this.copyData = fresh.length <= this.maxKeptCopyBytes ? fresh : undefined;
    return fresh;
  }
}

/** The messages of one topic in one batch, encoded one after the other, in a first buffer and then chunks. */
class BlockBuilder {
  /** Filled buffers before `buf`, each with the bytes used in it. */
  readonly filled: Buffer[] = [];
  readonly filledBytes: number[] = [];
  buf: Buffer;
  at = 0;
  /** Bytes of encoded messages in all its buffers. */
  length = 0;
  count = 0;
  firstMs = Infinity;
  lastMs = -Infinity;

  constructor(
    readonly topic: Uint8Array,
    firstMessageBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(MIN_BLOCK_BYTES, 2 * firstMessageBytes));
  }

  /** Room for a message of `bytes` in `buf`: a message never spans two buffers. */
  reserve(bytes: number, buffers: HistoryBuffers): void {
    if (this.at + bytes <= this.buf.length) return;
    this.filled.push(this.buf);
    this.filledBytes.push(this.at);
    this.buf = bytes <= buffers.chunkBytes ? buffers.takeChunk() : Buffer.allocUnsafe(bytes);
    this.at = 0;
  }

  /** Copies the encoded messages to `out` at `at`; returns the offset after them. */
  copyTo(out: Buffer, at: number): number {
    for (let i = 0; i < this.filled.length; i++) at += this.filled[i].copy(out, at, 0, this.filledBytes[i]);
    return at + this.buf.copy(out, at, 0, this.at);
  }

  release(buffers: HistoryBuffers): void {
    for (const chunk of this.filled) buffers.giveChunk(chunk);
    buffers.giveChunk(this.buf);
  }
}

/**
 * A batch of recorded messages, grouped by topic into blocks: one history_blocks row per topic and batch,
 * whatever the number of messages. The database then pays per block (a tuple, its index entries, its
 * WAL), not per message, which is what lets history keep up with the broker's message rate. Messages are
 * encoded once, when recorded, with no object kept per message until the write.
 */
export class HistoryBatch {
  /** Messages in the batch. */
  count = 0;
  /** Bytes of the encoded messages and their topics. */
  byteLength = 0;
  private readonly blocks = new Map<string, BlockBuilder>();
  private readonly encoded = new Map<string, Buffer>();
  private encodedBytes = 0;
  private lastText = '';
  private lastBytes: Buffer = Buffer.alloc(0);

  constructor(private readonly buffers = new HistoryBuffers()) {}

  /** Blocks (distinct topics) in the batch. */
  get blockCount(): number {
    return this.blocks.size;
  }

  /** `topicBytes`: the topic name's UTF-8 bytes; `propertiesJson`: the MQTT 5.0 properties as JSON text, or null. */
  add(
    topic: string,
    topicBytes: Uint8Array,
    payload: Uint8Array,
    qos: number,
    retain: boolean,
    propertiesJson: string | null,
    publisherClientId: string | null,
    publisherUsername: string | null,
    receivedAtMs: number,
  ): void {
    const clientId = publisherClientId === null ? null : this.bytesOf(publisherClientId);
    const username = publisherUsername === null ? null : this.bytesOf(publisherUsername);
    const size = 13 + payload.length + (propertiesJson === null ? 0 : 4 + 3 * propertiesJson.length) + (clientId === null ? 0 : 4 + clientId.length) + (username === null ? 0 : 4 + username.length);
    let block = this.blocks.get(topic);
    if (block === undefined) {
      block = new BlockBuilder(topicBytes, size);
      this.blocks.set(topic, block);
      this.byteLength += topicBytes.length;
    }
    block.reserve(size, this.buffers);
    const buf = block.buf;
    const start = block.at;
    let at = int64(buf, start, receivedAtMs);
    buf[at++] = (qos & 0x03) | (retain ? RETAIN : 0) | (propertiesJson === null ? 0 : HAS_PROPERTIES) | (clientId === null ? 0 : HAS_CLIENT) | (username === null ? 0 : HAS_USER);
    at = bytes(buf, at, payload);
    if (propertiesJson !== null) {
      const length = buf.write(propertiesJson, at + 4, 'utf8');
      at = int32(buf, at, length) + length;
    }
    if (clientId !== null) at = bytes(buf, at, clientId);
    if (username !== null) at = bytes(buf, at, username);
    block.length += at - start;
    block.at = at;
    block.count++;
    if (receivedAtMs < block.firstMs) block.firstMs = receivedAtMs;
    if (receivedAtMs > block.lastMs) block.lastMs = receivedAtMs;
    this.count++;
    this.byteLength += at - start;
  }

  /**
   * The batch as PostgreSQL binary COPY data for HISTORY_BLOCK_COLUMNS, trailer included, in the shared
   * COPY buffer: valid until the next batch of the same HistoryBuffers is assembled.
   */
  toCopyData(): Buffer {
    let size = COPY_HEADER.length + 2;
    for (const block of this.blocks.values()) size += 2 + 4 + block.topic.length + 12 + 12 + 8 + 4 + block.length;
    const out = this.buffers.copyBuffer(size);
    let at = COPY_HEADER.copy(out, 0);
    for (const block of this.blocks.values()) {
      out[at] = 0;
      out[at + 1] = 5;
      at = bytes(out, at + 2, block.topic);
      at = timestamp(out, at, block.firstMs);
      at = timestamp(out, at, block.lastMs);
      at = int32(out, int32(out, at, 4), block.count);
      at = block.copyTo(out, int32(out, at, block.length));
    }
    out.writeInt16BE(-1, at);
    return out.subarray(0, at + 2);
  }

  /** Gives the batch's chunks back for the next batches: once written, or dropped. */
  release(): void {
    for (const block of this.blocks.values()) block.release(this.buffers);
    this.blocks.clear();
  }

  /**
   * Client identifiers and user names repeat from message to message (a socket's chunk holds many of one
   * publisher's): encoded once each, and the last one answered without a lookup.
   */
  private bytesOf(text: string): Buffer {
    if (text === this.lastText) return this.lastBytes;
    let encoded = this.encoded.get(text);
    if (encoded === undefined) {
      encoded = Buffer.from(text, 'utf8');
      const cost = 3 * encoded.length;
      if (this.encoded.size >= 10_000 || this.encodedBytes + cost > MAX_ENCODED_BYTES) {
        this.encoded.clear();
        this.encodedBytes = 0;
      }
      this.encoded.set(text, encoded);
      this.encodedBytes += cost;
    }
    this.lastText = text;
    this.lastBytes = encoded;
    return encoded;
  }
}

/** A length-prefixed value. Short values are copied by hand: cheaper than a native call for a few bytes. */
function bytes(buf: Buffer, at: number, value: Uint8Array): number {
  const length = value.length;
  at = int32(buf, at, length);
  if (length > 32) buf.set(value, at);
  else for (let i = 0; i < length; i++) buf[at + i] = value[i];
  return at + length;
}

/** A timestamptz field: microseconds since 2000-01-01 UTC. */
function timestamp(buf: Buffer, at: number, ms: number): number {
  return int64(buf, int32(buf, at, 8), (ms - PG_EPOCH_MS) * 1000);
}

/** One message of a block, decoded. */
export interface BlockMessage {
  /** Its place in the block, in the order it was recorded. */
  index: number;
  /** Where its bytes start and end in the block: a block of some of its messages is their ranges joined. */
  start: number;
  end: number;
  receivedAtMs: number;
  qos: number;
  retain: boolean;
  payload: Buffer;
  propertiesJson: string | null;
  publisherClientId: string | null;
  publisherUsername: string | null;
}

/**
 * The messages of a block, in the order they were recorded. The payloads share the block's memory.
 * Malformed data (a block not written by HistoryBatch) throws a RangeError rather than reading past it.
 */
export function decodeBlock(messages: Buffer): BlockMessage[] {
  const out: BlockMessage[] = [];
  let at = 0;
  const need = (n: number): void => {
    if (at + n > messages.length) throw new RangeError(`history block truncated at byte ${at}`);
  };
  const field = (): Buffer => {
    need(4);
    const length = messages.readUInt32BE(at);
    need(4 + length);
    at += 4 + length;
    return messages.subarray(at - length, at);
  };
  while (at < messages.length) {
    const start = at;
    need(9);
    const receivedAtMs = messages.readInt32BE(at) * 2 ** 32 + messages.readUInt32BE(at + 4);
    const flags = messages[at + 8];
    at += 9;
    const payload = field();
    const propertiesJson = flags & HAS_PROPERTIES ? field().toString('utf8') : null;
    const publisherClientId = flags & HAS_CLIENT ? field().toString('utf8') : null;
    const publisherUsername = flags & HAS_USER ? field().toString('utf8') : null;
    out.push({ index: out.length, start, end: at, receivedAtMs, qos: flags & 0x03, retain: (flags & RETAIN) !== 0, payload, propertiesJson, publisherClientId, publisherUsername });
  }
  return out;
}
