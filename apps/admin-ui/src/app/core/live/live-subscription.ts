import type { OperationVariables, TypedDocumentNode } from '@apollo/client';
import { Apollo } from 'apollo-angular';
import { Observable, defer, map, repeat, retry, timer } from 'rxjs';

/** Waits between attempts to bring a subscription back: 1 s, 2 s, 4 s ... at most 15 s. */
export function backoff(attempt: number): number {
  return Math.min(15_000, 1_000 * 2 ** Math.max(0, Math.min(attempt - 1, 4)));
}

/**
 * A GraphQL subscription that stays up: when its socket is closed (the token expired: 4401, the broker
 * restarted) or it ends with an error, it is started again after a short wait, with a fresh token.
 */
export function liveSubscription<TData, TVariables extends OperationVariables>(
  apollo: Apollo,
  query: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
): Observable<TData> {
  return defer(() => apollo.subscribe<TData, TVariables>({ query, variables } as never)).pipe(
    map((result) => {
      if (result.error) throw result.error;
      if (result.data === undefined) throw new Error('subscription answered without data');
      return result.data as TData;
    }),
    retry({ delay: (_error, attempt) => timer(backoff(attempt)), resetOnSuccess: true }),
    repeat({ delay: () => timer(1_000) }),
  );
}
