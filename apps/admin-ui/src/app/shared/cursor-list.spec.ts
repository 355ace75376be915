import { CursorList, CursorPage } from './cursor-list';

const letters = 'abcdefghij'.split('');
/** A fake API: letters in order, paged by the last letter seen. */
async function fetchLetters(first: number, after: string | null): Promise<CursorPage<string>> {
  const start = after === null ? 0 : letters.indexOf(after) + 1;
  const items = letters.slice(start, start + first);
  const last = items[items.length - 1];
  return { items, nextCursor: start + first < letters.length && last ? last : null, total: letters.length };
}

describe('cursor list', () => {
  it('reads a page, then the next ones, and says when there are no more', async () => {
    const list = new CursorList(fetchLetters, 'The letters', 4);
    await list.reload();
    expect(list.items()).toEqual(['a', 'b', 'c', 'd']);
    expect(list.total()).toBe(10);
    await list.more();
    await list.more();
    expect(list.items()).toEqual(letters);
    expect(list.nextCursor()).toBeNull();
  });

  it('reads again as many rows as are shown', async () => {
    const seen: number[] = [];
    const list = new CursorList((first, after) => (seen.push(first), fetchLetters(first, after)), 'The letters', 4);
    await list.reload();
    await list.more();
    await list.reload(true);
    expect(seen).toEqual([4, 4, 8]);
    expect(list.items()).toEqual(letters.slice(0, 8));
  });

  it('keeps the rows shown when a quiet refresh fails, and says so when a first read fails', async () => {
    let fail = false;
    const list = new CursorList((first, after) => (fail ? Promise.reject(new Error('down')) : fetchLetters(first, after)), 'The letters', 4);
    await list.reload();
    fail = true;
    await list.reload(true);
    expect(list.items()).toEqual(['a', 'b', 'c', 'd']);
    expect(list.error()).toBeNull();
    await list.reload();
    expect(list.items()).toBeNull();
    expect(list.error()).toBe('The letters could not be read: down');
  });
});
