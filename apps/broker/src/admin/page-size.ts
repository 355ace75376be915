import { badInput } from './admin-error';

/** The largest page any list of the admin API returns. */
export const MAX_PAGE_SIZE = 500;

/** A page size as asked, or BAD_USER_INPUT saying what is allowed. */
export function pageSize(first: number, field = 'first'): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw badInput(`${field}: ${first}; ask for 1 to ${MAX_PAGE_SIZE} at a time`);
  return first;
}
