import { signal } from '@angular/core';
import { errorMessage } from '../core/graphql/errors';

/** One page of a list the API pages by cursor. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
  total?: number | null;
}

/** The API's largest page. */
export const MAX_PAGE = 500;

/**
 * A list read a page at a time ("Show more" reads the next), read again from the start when it may have
 * changed (as many rows as are shown, at most MAX_PAGE), answers to older requests ignored.
 */
export class CursorList<T> {
  readonly items = signal<T[] | null>(null);
  readonly total = signal<number | null>(null);
  readonly nextCursor = signal<string | null>(null);
  readonly loading = signal(false);
  readonly error = signal<string | null>(null);
  private generation = 0;

  constructor(
    private readonly fetch: (first: number, after: string | null) => Promise<CursorPage<T>>,
    /** Says what could not be read: "The sessions". */
    private readonly what: string,
    private readonly pageSize = 100,
  ) {}

  /** Reads the list from the start; `quiet` keeps what is shown when it fails (a background refresh). */
  async reload(quiet = false): Promise<void> {
    const generation = ++this.generation;
    const first = Math.min(MAX_PAGE, Math.max(this.pageSize, this.items()?.length ?? 0));
    if (!quiet) {
      this.error.set(null);
      this.items.set(null);
    }
    this.loading.set(true);
    try {
      const page = await this.fetch(first, null);
      if (generation !== this.generation) return;
      this.items.set(page.items);
      this.total.set(page.total ?? null);
      this.nextCursor.set(page.nextCursor);
      this.error.set(null);
    } catch (e) {
      if (generation === this.generation && (!quiet || this.items() === null)) this.error.set(`${this.what} could not be read: ${errorMessage(e)}`);
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }

  /** Reads the next page and adds it to the list. */
  async more(): Promise<void> {
    const after = this.nextCursor();
    if (after === null || this.loading()) return;
    const generation = ++this.generation;
    this.loading.set(true);
    try {
      const page = await this.fetch(this.pageSize, after);
      if (generation !== this.generation) return;
      this.items.update((items) => [...(items ?? []), ...page.items]);
      this.total.set(page.total ?? this.total());
      this.nextCursor.set(page.nextCursor);
    } catch (e) {
      if (generation === this.generation) this.error.set(`${this.what} could not be read: ${errorMessage(e)}`);
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }
}
