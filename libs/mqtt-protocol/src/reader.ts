import { malformed } from './protocol-error';

/** One empty Buffer for every reader and view that has not seen a packet yet. */
export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);
import { Utf8Check, checkUtf8 } from './utf8';

/**
 * A cursor over the body of one packet, [pos, end) of `buf`. Every read checks the bounds, so a
 * length field that points past the packet is a Malformed Packet, never an out-of-range read.
 * One Reader is reused for every packet a parser sees.
 */
export class Reader {
  buf: Buffer = EMPTY_BUFFER;
  pos = 0;
  end = 0;
  /** Property bytes one property set may hold (see ParserOptions.maxPropertyBytes). */
  maxPropertyBytes = Infinity;
  /** User Properties one property set may hold (see ParserOptions.maxUserProperties). */
  maxUserProperties = Infinity;

  reset(buf: Buffer, pos: number, end: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) throw malformed(`${what} runs past the end of the packet`, 'MQTT-1.5');
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Variable Byte Integer; a fifth byte is malformed [MQTT-1.5.5-1]. */
  varint(what: string): number {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 4; i++) {
      this.need(1, what);
      const b = this.buf[this.pos++];
      value += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) return value;
      multiplier *= 128;
    }
    throw malformed(`${what}: Variable Byte Integer longer than 4 bytes`, 'MQTT-1.5.5-1');
  }

  /** Two-byte length then bytes; returns the start offset, leaving `pos` after the data. */
  lengthPrefixed(what: string): number {
    const len = this.u16(what);
    this.need(len, what);
    const start = this.pos;
    this.pos += len;
    return start;
  }

  /** UTF-8 Encoded String, checked for ill-formed UTF-8 and U+0000 (§1.5.4). */
  string(what: string): string {
    const start = this.lengthPrefixed(what);
    checkString(this.buf, start, this.pos, what);
    return this.buf.toString('utf8', start, this.pos);
  }

  binary(what: string): Buffer {
    const start = this.lengthPrefixed(what);
    return Buffer.from(this.buf.subarray(start, this.pos));
  }

  /** The rest of the packet, copied so it outlives the received chunk. */
  rest(): Buffer {
    const out = Buffer.from(this.buf.subarray(this.pos, this.end));
    this.pos = this.end;
    return out;
  }

  /** A packet must be consumed exactly: bytes left over mean the Remaining Length lied. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) throw malformed(`${this.end - this.pos} unexpected byte(s) at the end of ${what}`);
  }
}

export function checkString(buf: Buffer, start: number, end: number, what: string): void {
  const check = checkUtf8(buf, start, end);
  if (check === Utf8Check.IllFormed) throw malformed(`${what} is not well-formed UTF-8`, 'MQTT-1.5.4-1');
  if (check === Utf8Check.NullCharacter) throw malformed(`${what} contains U+0000`, 'MQTT-1.5.4-2');
}
