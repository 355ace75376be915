import { ValueTransformer } from 'typeorm';

/**
 * How the entities map PostgreSQL `bigint`. `pg` returns a bigint as a string, because a double cannot
 * hold every 64-bit value. A bigint column is a number in an entity only where our code already treats
 * it as one and keeps it far below 2^53: MQTT intervals (at most 4294967295 seconds) and the session
 * message ids the broker assigns itself from a counter. Ids drawn from a sequence and only handed back
 * as cursors (message history, session events) stay strings, exactly as `pg` returns them.
 *
 * A value a double cannot hold exactly is refused rather than silently rounded.
 */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null): number | null => {
    if (value === null) return null;
    const number = Number(value);
    if (!Number.isSafeInteger(number)) throw new RangeError(`bigint ${value} does not fit a JavaScript number exactly`);
    return number;
  },
};

/**
 * `bytea` as a Buffer whatever the driver hands back (`pg` gives a Buffer; a plain Uint8Array, whose
 * toString() prints numbers, is wrapped). The Buffer shares the Uint8Array's memory: nothing is copied.
 */
export const bytesAsBuffer: ValueTransformer = {
  to: (value: Uint8Array | null | undefined) => value,
  from: (value: Uint8Array | null): Buffer | null => {
    if (value === null || Buffer.isBuffer(value)) return value;
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  },
};
