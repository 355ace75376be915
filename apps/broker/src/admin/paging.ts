/** A page of items sorted by a key, after the key `after`: the items, and the cursor of the next page. */
export function pageByKey<T>(sorted: readonly T[], key: (item: T) => string, first: number, after: string | null | undefined): { items: T[]; nextCursor: string | null } {
  const start = after == null ? 0 : sorted.findIndex((item) => key(item) > after);
  if (start < 0) return { items: [], nextCursor: null };
  const items = sorted.slice(start, start + first);
  return { items, nextCursor: start + first < sorted.length ? key(items[items.length - 1]) : null };
}

export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
