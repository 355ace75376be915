/**
 * The page of items with the `first` smallest keys after `after`, gathered from items seen one at a time
 * without sorting them all: the page is kept in a max-heap of `first + 1` (one more tells whether a next
 * page exists), so a page of a million sessions costs a pass and log(first) per item, not a sort of a
 * million on every request an admin or a script makes.
 */
export class KeyedPage<T> {
  /** Items seen, before the cursor too: the total of the list the page is part of. */
  total = 0;
  private readonly heap: Array<{ key: string; item: T }> = [];

  constructor(
    private readonly first: number,
    private readonly after: string | null | undefined,
  ) {}

  add(key: string, item: T): void {
    this.total++;
    if (this.after != null && key <= this.after) return;
    const heap = this.heap;
    if (heap.length <= this.first) {
      heap.push({ key, item });
      this.siftUp(heap.length - 1);
    } else if (key < heap[0].key) {
      heap[0] = { key, item };
      this.siftDown(0);
    }
  }

  /** The page in key order, and the cursor of the next page (null on the last). */
  result(): { items: T[]; nextCursor: string | null } {
    const sorted = [...this.heap].sort((a, b) => byString(a.key, b.key));
    const page = sorted.slice(0, this.first);
    return { items: page.map((e) => e.item), nextCursor: sorted.length > this.first ? page[page.length - 1].key : null };
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].key >= heap[i].key) return;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < heap.length && heap[left].key > heap[largest].key) largest = left;
      if (right < heap.length && heap[right].key > heap[largest].key) largest = right;
      if (largest === i) return;
      [heap[largest], heap[i]] = [heap[i], heap[largest]];
      i = largest;
    }
  }
}

export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
