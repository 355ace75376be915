import { Buffer } from 'node:buffer';
import { COPY_HEADER as HEADER, PG_EPOCH_MS, int32 } from '../copy/binary-copy';

/** The message_history columns a batch fills, in COPY order (id and nothing else is left to defaults). */
export const HISTORY_COLUMNS = 'topic, payload, qos, retain, properties, publisher_client_id, publisher_username, received_at';

const FIELDS = 8;
const TWO_32 = 2 ** 32;

/**
 * Message history rows encoded straight into PostgreSQL's binary COPY format: one buffer per batch, no
 * object or SQL parameter per row, which is what lets recording run at the broker's message rate.
 */
/** Bytes of encoded client identifiers and user names a batch keeps for reuse (text and bytes counted). */
const MAX_ENCODED_BYTES = 1024 * 1024;

export class HistoryRows {
  count = 0;
  private buf: Buffer;
  private readonly encoded = new Map<string, Buffer>();
  /** Client identifiers and user names are up to 65,535 bytes each: the cache is bounded by what it holds. */
  private encodedBytes = 0;
  private lastText = '';
  private lastBytes: Buffer = Buffer.alloc(0);
  private at: number;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(initialBytes, HEADER.length + 2));
    this.at = HEADER.copy(this.buf, 0);
  }

  /** `topic`: the topic name's UTF-8 bytes; `propertiesJson`: the MQTT 5.0 properties as JSON text, or null. */
  add(
    topic: Uint8Array,
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
    this.reserve(2 + 4 * FIELDS + topic.length + payload.length + 2 + 1 + 1 + 8 + 3 * (propertiesJson?.length ?? 0) + (clientId?.length ?? 0) + (username?.length ?? 0));
    const buf = this.buf;
    let at = this.at;
    buf[at] = 0;
    buf[at + 1] = FIELDS;
    at = this.bytes(topic, at + 2);
    at = this.bytes(payload, at);
    at = int32(buf, at, 2);
    buf[at] = 0;
    buf[at + 1] = qos;
    at = int32(buf, at + 2, 1);
    buf[at] = retain ? 1 : 0;
    at++;
    if (propertiesJson === null) at = int32(buf, at, -1);
    else {
      // jsonb's binary form: a version byte, then the text.
      const length = buf.write(propertiesJson, at + 5, 'utf8');
      int32(buf, at, length + 1);
      buf[at + 4] = 1;
      at += 5 + length;
    }
    at = clientId === null ? int32(buf, at, -1) : this.bytes(clientId, at);
    at = username === null ? int32(buf, at, -1) : this.bytes(username, at);
    const micros = (receivedAtMs - PG_EPOCH_MS) * 1000;
    const high = Math.floor(micros / TWO_32);
    at = int32(buf, at, 8);
    at = int32(buf, at, high);
    this.at = int32(buf, at, micros - high * TWO_32);
    this.count++;
  }

  /** Bytes of COPY data encoded so far. */
  get byteLength(): number {
    return this.at;
  }

  /** Bytes the batch's buffer holds, used or not. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Empty again, keeping its buffer: once a write is done, the next batch reuses it. */
  reset(): void {
    this.at = HEADER.length;
    this.count = 0;
  }

  /** The COPY data, trailer included. */
  toBuffer(): Buffer {
    this.reserve(2);
    this.buf.writeInt16BE(-1, this.at);
    return this.buf.subarray(0, this.at + 2);
  }

  /** A length-prefixed field. Short values are copied by hand: cheaper than a native call for a few bytes. */
  private bytes(value: Uint8Array, at: number): number {
    const buf = this.buf;
    const length = value.length;
    at = int32(buf, at, length);
    if (length > 32) buf.set(value, at);
    else for (let i = 0; i < length; i++) buf[at + i] = value[i];
    return at + length;
  }

  /**
   * Client identifiers and user names repeat from message to message (a socket's chunk holds many of one
   * publisher's): encoded once each, and the last one answered without a lookup.
   */
  private bytesOf(text: string): Buffer {
    if (text === this.lastText) return this.lastBytes;
    let bytes = this.encoded.get(text);
    if (bytes === undefined) {
      bytes = Buffer.from(text, 'utf8');
      const cost = 3 * bytes.length;
      if (this.encoded.size >= 10_000 || this.encodedBytes + cost > MAX_ENCODED_BYTES) {
        this.encoded.clear();
        this.encodedBytes = 0;
      }
      this.encoded.set(text, bytes);
      this.encodedBytes += cost;
    }
    this.lastText = text;
    this.lastBytes = bytes;
    return bytes;
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}
