import { GraphQLError } from 'graphql';

/**
 * The errors the admin API means to give, by code: an answer to the caller, not a failure of the broker.
 * Services throw them as GraphQLErrors carrying the code in `extensions.code`; GraphQL hands them to the
 * client as they are, REST maps each code to an HTTP status (see rest/problem-details.ts).
 */
export type AdminErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'LISTEN_FAILED' | 'SHUTTING_DOWN';

export const ADMIN_ERROR_CODES: ReadonlySet<AdminErrorCode> = new Set<AdminErrorCode>(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'LISTEN_FAILED', 'SHUTTING_DOWN']);

export function adminError(code: AdminErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** No valid access token, or a refused login. */
export const unauthenticated = (message: string): GraphQLError => adminError('UNAUTHENTICATED', message);
/** Signed in, without the role it takes. */
export const forbidden = (message: string): GraphQLError => adminError('FORBIDDEN', message);
/** Input that cannot be used: the message says which field and what to fix. */
export const badInput = (message: string): GraphQLError => adminError('BAD_USER_INPUT', message);
/** What the input names does not exist. */
export const notFound = (message: string): GraphQLError => adminError('NOT_FOUND', message);

/** The code of an error the admin API means to give, or undefined for any other error. */
export function adminErrorCode(error: unknown): AdminErrorCode | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const code = error.extensions?.code;
  return typeof code === 'string' && ADMIN_ERROR_CODES.has(code as AdminErrorCode) ? (code as AdminErrorCode) : undefined;
}

/**
 * Reads a page after a cursor the caller passed: a cursor the repository cannot read (a RangeError) is
 * BAD_USER_INPUT saying so; any other error is left as it is.
 */
export async function afterCursor<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof RangeError) throw badInput(`after: ${e.message}; pass a nextCursor`);
    throw e;
  }
}
