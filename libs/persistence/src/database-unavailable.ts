import { QueryFailedError } from 'typeorm';

/** Socket errors meaning the server cannot be reached, not that a statement was wrong. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs of a server that cannot serve right now: class 08 (connection exception), shutdown
 * (57P01-57P03) and too many connections (53300). Retrying later may well succeed.
 */
const UNAVAILABLE_STATE = /^(08...|57P0[123]|53300)$/;

/**
 * `pg` reports a socket closed under it, or a connect attempt that timed out, with a plain Error and no
 * code: these messages are all there is to tell them apart (pg/lib/client.js, pg-pool/index.js).
 */
const UNAVAILABLE_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * Whether an error says the database is away (unreachable, restarting, connection dropped) rather than
 * that a query failed. Callers answer it with "try again later": the broker's CONNACK 0x88 Server
 * unavailable, the write-behind queue's retry.
 */
export function isDatabaseUnavailable(e: unknown): boolean {
  if (e instanceof QueryFailedError) return isDatabaseUnavailable(e.driverError);
  // A host name with several addresses fails with one error per address.
  if (e instanceof AggregateError) return e.errors.length > 0 && e.errors.every(isDatabaseUnavailable);
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATE.test(code))) return true;
  return UNAVAILABLE_MESSAGE.test(e.message);
}
