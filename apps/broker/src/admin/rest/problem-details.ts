import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ADMIN_ERROR_CODES, AdminErrorCode, adminErrorCode } from '../admin-error';

/** The media type of every REST error body (RFC 7807). */
export const PROBLEM_JSON = 'application/problem+json';

/** What an unexpected error tells the caller: nothing of its cause, which is logged on the server. */
const UNEXPECTED = 'an unexpected error occurred; it is logged on the server';

/** An error of the REST API, as RFC 7807 problem details with the code GraphQL gives the same error. */
export class ProblemDetails {
  @ApiProperty({ description: 'about:blank: the status and code say what kind of problem it is', example: 'about:blank' })
  type!: string;

  @ApiProperty({ description: 'The HTTP status text', example: 'Not Found' })
  title!: string;

  @ApiProperty({ type: 'integer', description: 'The HTTP status', example: 404 })
  status!: number;

  @ApiProperty({ description: 'What went wrong and what to fix, for people; never a stack trace', example: 'no client "sensor-1" is connected' })
  detail!: string;

  @ApiProperty({
    description: 'For programs: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, LISTEN_FAILED and SHUTTING_DOWN as in the GraphQL API; PAYLOAD_TOO_LARGE, INTERNAL_SERVER_ERROR and other HTTP status names for the rest',
    example: 'NOT_FOUND',
  })
  code!: string;
}

/** The HTTP status of each code the admin API's errors carry. */
export function statusOf(code: AdminErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return HttpStatus.UNAUTHORIZED;
    case 'FORBIDDEN':
      return HttpStatus.FORBIDDEN;
    case 'BAD_USER_INPUT':
      return HttpStatus.BAD_REQUEST;
    case 'NOT_FOUND':
      return HttpStatus.NOT_FOUND;
    case 'LISTEN_FAILED':
      return HttpStatus.CONFLICT;
    case 'SHUTTING_DOWN':
      return HttpStatus.SERVICE_UNAVAILABLE;
    default:
      return unreachable(code);
  }
}

function unreachable(code: never): never {
  throw new Error(`no HTTP status for the admin error code ${String(code)}`);
}

/** The code of an HTTP status: the admin API's own where there is one, else the status text in capitals. */
function codeOfStatus(status: number): string {
  const own = [...ADMIN_ERROR_CODES].find((code) => statusOf(code) === status);
  return own ?? (STATUS_CODES[status] ?? 'ERROR').toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

export function problem(status: number, detail: string, code = codeOfStatus(status)): ProblemDetails {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, code };
}

/** What the HTTP layer refused, said the way the admin API says things: the field, then what is wrong. */
function httpDetail(exception: HttpException): string {
  const cause = exception.cause as { limit?: unknown; length?: unknown } | undefined;
  if (cause instanceof SyntaxError) return `body: not valid JSON (${cause.message})`;
  if (exception.getStatus() === HttpStatus.PAYLOAD_TOO_LARGE && typeof cause?.limit === 'number') return `body: more than ${cause.limit} bytes`;
  // Nest's answer for a path no controller serves.
  const unrouted = exception.getStatus() === HttpStatus.NOT_FOUND ? /^Cannot ([A-Z]+) (.*)$/.exec(exception.message) : null;
  if (unrouted) return `no route ${unrouted[1]} ${unrouted[2].split('?')[0]}; the routes are listed in /api/v1/openapi.json`;
  return exception.message;
}

/**
 * The problem details of an error a REST call ended with: an admin API error by its code, an HTTP error
 * (no such route, a malformed or too large body) by its status, and anything else as a 500 that says
 * nothing of its cause. `unexpected` tells the caller to log it.
 */
export function problemOf(exception: unknown): { problem: ProblemDetails; unexpected: boolean } {
  const code = adminErrorCode(exception);
  if (code !== undefined) return { problem: problem(statusOf(code), (exception as Error).message, code), unexpected: false };
  if (exception instanceof HttpException && exception.getStatus() < 500) return { problem: problem(exception.getStatus(), httpDetail(exception)), unexpected: false };
  return { problem: problem(HttpStatus.INTERNAL_SERVER_ERROR, UNEXPECTED), unexpected: true };
}
