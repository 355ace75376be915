import { GraphQLError } from 'graphql';
import { ListenerException, ListenerExceptionCode } from '../../transport/listener.exception';

/** The GraphQL error code for each reason a listener change is refused. */
function graphqlCode(code: ListenerExceptionCode): string {
  switch (code) {
    case ListenerExceptionCode.NOT_FOUND:
      return 'NOT_FOUND';
    case ListenerExceptionCode.INVALID_INPUT:
      return 'BAD_USER_INPUT';
    case ListenerExceptionCode.LISTEN_FAILED:
      return 'LISTEN_FAILED';
    case ListenerExceptionCode.SHUTTING_DOWN:
      return 'SHUTTING_DOWN';
    default: {
      const unreachable: never = code;
      throw new Error(`unmapped listener error code ${String(unreachable)}`);
    }
  }
}

/** A refused listener change as a GraphQL error with its code; anything else as it was. */
export function listenerGraphQLError(error: unknown): unknown {
  if (!(error instanceof ListenerException)) return error;
  return new GraphQLError(error.message, { extensions: { code: graphqlCode(error.code) } });
}
