/** Variable Byte Integer (§1.5.5): at most four bytes, so at most 268,435,455. */
export const MAX_VARINT = 268_435_455;

/** How many bytes a Variable Byte Integer takes. */
export function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : 4;
}

/** Writes a Variable Byte Integer at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value > 0) byte |= 0x80;
    buf[pos++] = byte;
  } while (value > 0);
  return pos;
}
