import { GraphQLError } from 'graphql';

/** The largest page any list of the admin API returns. */
export const MAX_PAGE_SIZE = 500;

/** A page size as asked, or BAD_USER_INPUT saying what is allowed. */
export function pageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new GraphQLError(`first: ${first}; ask for 1 to ${MAX_PAGE_SIZE} at a time`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return first;
}
