import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import { KeyedPage, byString } from './paging';

/** What a page is by definition: sort everything, skip to after the cursor, take `first`. */
function bySorting(keys: string[], first: number, after: string | null): { items: string[]; nextCursor: string | null } {
  const rest = [...keys].sort(byString).filter((k) => after === null || k > after);
  const items = rest.slice(0, first);
  return { items, nextCursor: rest.length > first ? items[items.length - 1] : null };
}

describe('KeyedPage', () => {
  it('gives the page sorting would, whatever the order the items come in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), fc.option(fc.string({ maxLength: 6 }), { nil: null }), (keys, first, after) => {
        const page = new KeyedPage<string>(first, after);
        for (const k of keys) page.add(k, k);
        assert.deepEqual(page.result(), bySorting(keys, first, after));
        assert.equal(page.total, keys.length);
      }),
      { numRuns: 500 },
    );
  });

  it('walks a whole list page by page with its cursors, each item once', () => {
    const keys = Array.from({ length: 1234 }, (_, i) => `client-${(i * 7919) % 1234}`);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: KeyedPage<string> = new KeyedPage<string>(100, after);
      for (const k of keys) page.add(k, k);
      const { items, nextCursor } = page.result();
      seen.push(...items);
      after = nextCursor;
    } while (after !== null);
    assert.deepEqual(seen, [...keys].sort(byString));
  });
});
