import { isUtf8 } from 'node:buffer';

/**
 * Result of checking a UTF-8 Encoded String (§1.5.4): 0 well-formed, 1 ill-formed UTF-8 (which includes
 * encoded surrogates U+D800..U+DFFF) [MQTT-1.5.4-1], 2 contains U+0000 [MQTT-1.5.4-2].
 */
export const enum Utf8Check {
  Valid = 0,
  IllFormed = 1,
  NullCharacter = 2,
}

/** Checks bytes [start, end) of `buf`. ASCII, the common case, is settled by one loop without a native call. */
export function checkUtf8(buf: Buffer, start: number, end: number): Utf8Check {
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b === 0) return Utf8Check.NullCharacter;
    if (b >= 0x80) ascii = false;
  }
  if (ascii) return Utf8Check.Valid;
  return isUtf8(buf.subarray(start, end)) ? Utf8Check.Valid : Utf8Check.IllFormed;
}

/** True when the whole buffer is well-formed UTF-8: the check behind Payload Format Indicator = 1 (0x99). */
export function isWellFormedUtf8(buf: Buffer): boolean {
  return isUtf8(buf);
}

/** True when a JavaScript string can be sent as an MQTT UTF-8 Encoded String (no lone surrogates, no U+0000). */
export function isEncodableString(value: string): boolean {
  return value.isWellFormed() && !value.includes('\u0000');
}

/**
 * `value` cut to at most `maxBytes` of UTF-8, never inside a character: for text a server echoes (Reason
 * Strings, Response Information) whose source, often the client's own input, may exceed what fits.
 */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (value.length * 3 <= maxBytes || Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  let bytes = 0;
  let end = 0;
  while (end < value.length) {
    const code = value.codePointAt(end)!;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += code >= 0x10000 ? 2 : 1;
  }
  return value.slice(0, end);
}
