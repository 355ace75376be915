import { Buffer } from 'node:buffer';

/** "PGCOPY\n\377\r\n\0", flags 0, header extension length 0. */
export const COPY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** PostgreSQL timestamps count microseconds from 2000-01-01 UTC. */
export const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 2 ** 32;
const INT4_OID = 23;

/** A big-endian 32-bit integer (two's complement for negatives) at `at`; returns the offset after it. */
export function int32(buf: Buffer, at: number, value: number): number {
  buf[at] = value >>> 24;
  buf[at + 1] = (value >>> 16) & 0xff;
  buf[at + 2] = (value >>> 8) & 0xff;
  buf[at + 3] = value & 0xff;
  return at + 4;
}

/** A 64-bit integer from a double (exact up to 2^53), high word first; returns the offset after it. */
export function int64(buf: Buffer, at: number, value: number): number {
  const high = Math.floor(value / TWO_32);
  at = int32(buf, at, high);
  return int32(buf, at, value - high * TWO_32);
}

/**
 * Rows in PostgreSQL's binary COPY format, field by field: for tables written in bulk, where one buffer
 * per batch costs both sides far less than parameters of a multi-row INSERT.
 */
export class BinaryCopyWriter {
  count = 0;
  private buf: Buffer;
  private at: number;

  constructor(initialBytes = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(initialBytes, COPY_HEADER.length + 2));
    this.at = COPY_HEADER.copy(this.buf, 0);
  }

  row(fields: number): this {
    this.reserve(2);
    this.buf[this.at] = fields >> 8;
    this.buf[this.at + 1] = fields & 0xff;
    this.at += 2;
    this.count++;
    return this;
  }

  null(): this {
    this.reserve(4);
    this.at = int32(this.buf, this.at, -1);
    return this;
  }

  int16(value: number): this {
    this.reserve(6);
    const at = int32(this.buf, this.at, 2);
    this.buf[at] = (value >> 8) & 0xff;
    this.buf[at + 1] = value & 0xff;
    this.at = at + 2;
    return this;
  }

  int32(value: number): this {
    this.reserve(8);
    this.at = int32(this.buf, int32(this.buf, this.at, 4), value);
    return this;
  }

  int64(value: number): this {
    this.reserve(12);
    this.at = int64(this.buf, int32(this.buf, this.at, 8), value);
    return this;
  }

  bool(value: boolean): this {
    this.reserve(5);
    this.at = int32(this.buf, this.at, 1);
    this.buf[this.at++] = value ? 1 : 0;
    return this;
  }

  bytes(value: Uint8Array | null): this {
    if (value === null) return this.null();
    this.reserve(4 + value.length);
    this.at = int32(this.buf, this.at, value.length);
    this.buf.set(value, this.at);
    this.at += value.length;
    return this;
  }

  text(value: string | null): this {
    if (value === null) return this.null();
    this.reserve(4 + 3 * value.length);
    const length = this.buf.write(value, this.at + 4, 'utf8');
    int32(this.buf, this.at, length);
    this.at += 4 + length;
    return this;
  }

  /** jsonb from JSON text: its binary form is a version byte (1), then the text as UTF-8. */
  jsonb(json: string | null): this {
    if (json === null) return this.null();
    this.reserve(5 + 3 * json.length);
    const length = this.buf.write(json, this.at + 5, 'utf8');
    int32(this.buf, this.at, length + 1);
    this.buf[this.at + 4] = 1;
    this.at += 5 + length;
    return this;
  }

  /** timestamptz from epoch milliseconds. */
  timestamp(ms: number | null): this {
    return ms === null ? this.null() : this.int64((ms - PG_EPOCH_MS) * 1000);
  }

  /** integer[] of one dimension. */
  int4Array(values: readonly number[] | null): this {
    if (values === null) return this.null();
    if (values.length === 0) {
      // No dimensions: the empty array.
      this.reserve(16);
      let at = int32(this.buf, this.at, 12);
      at = int32(this.buf, at, 0);
      at = int32(this.buf, at, 0);
      this.at = int32(this.buf, at, INT4_OID);
      return this;
    }
    const bytes = 20 + 8 * values.length;
    this.reserve(4 + bytes);
    let at = int32(this.buf, this.at, bytes);
    at = int32(this.buf, at, 1); // dimensions
    at = int32(this.buf, at, 0); // no nulls
    at = int32(this.buf, at, INT4_OID);
    at = int32(this.buf, at, values.length);
    at = int32(this.buf, at, 1); // lower bound
    for (const v of values) at = int32(this.buf, int32(this.buf, at, 4), v);
    this.at = at;
    return this;
  }

  /** The COPY data, trailer included. */
  toBuffer(): Buffer {
    this.reserve(2);
    this.buf[this.at] = 0xff;
    this.buf[this.at + 1] = 0xff;
    return this.buf.subarray(0, this.at + 2);
  }

  private reserve(bytes: number): void {
    if (this.at + bytes + 2 <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes + 2));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}
