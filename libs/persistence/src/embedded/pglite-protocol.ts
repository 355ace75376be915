/** Messages between the broker's thread and the thread that runs PGlite. */

export type PgliteRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  | { id: number; op: 'exec'; sql: string }
  /** COPY ... FROM '/dev/blob': `data` is what a client would send after COPY ... FROM STDIN. */
  | { id: number; op: 'copyFrom'; sql: string; data: Uint8Array }
  | { id: number; op: 'close' };

/** A PGlite error's fields (code, detail, severity, ...) survive the thread boundary as plain data. */
export interface SerializedError {
  message: string;
  fields: Record<string, unknown>;
}

export type PgliteResponse = { id: number; result: unknown } | { id: number; error: SerializedError };

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { message: String(e), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(e)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  return { message: e.message, fields };
}

export function deserializeError(e: SerializedError): Error {
  return Object.assign(new Error(e.message), e.fields);
}
