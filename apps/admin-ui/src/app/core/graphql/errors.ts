import { CombinedGraphQLErrors } from '@apollo/client/errors';

/** What went wrong, for the person in front of the screen: the API's own message when it has one. */
export function errorMessage(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) return error.errors.map((e) => e.message).join('; ');
  if (error instanceof Error) {
    if (/Failed to fetch|NetworkError|Http failure|status 0/i.test(error.message)) return 'The broker cannot be reached. Is it running?';
    return error.message;
  }
  return String(error);
}

/** The API's error code (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, NOT_FOUND), if any. */
export function errorCode(error: unknown): string | undefined {
  if (CombinedGraphQLErrors.is(error)) return error.errors[0]?.extensions?.['code'] as string | undefined;
  return undefined;
}
