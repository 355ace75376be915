import { topicMatches } from '@nestmq/mqtt-protocol';
import { Message } from '../../routing/message';
import { PublishWatcher } from '../../transport/broker-context';

/** A message as a live feed hands it to one watcher, with what it skipped before it. */
export interface LiveMessage {
  message: Message;
  username: string | undefined;
  /** Messages on the watcher's filter it did not get since the one before, to stay within its rate. */
  skippedBefore: number;
}

/** Messages a watcher may fall behind by before the oldest are skipped too. */
const MAX_WAITING = 100;

/**
 * One admin's live view of a topic filter: at most `maxRate` messages a second (a token bucket, so a
 * burst after a quiet second still shows), the rest counted as skipped. Bounded: a watcher whose reader
 * falls behind loses the oldest, never the broker's memory.
 */
export class FeedWatcher implements AsyncIterableIterator<LiveMessage> {
  private tokens: number;
  private refilledAt: number;
  private skipped = 0;
  private readonly waiting: LiveMessage[] = [];
  private wake: ((result: IteratorResult<LiveMessage>) => void) | undefined;
  private closed = false;

  constructor(
    readonly filter: string,
    private readonly maxRate: number,
    private readonly onClose: (w: FeedWatcher) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = maxRate;
    this.refilledAt = now();
  }

  /** Called on the hot path for every message matching nothing else: a clock read and a comparison or two. */
  offer(message: Message, username: string | undefined): void {
    const now = this.now();
    this.tokens = Math.min(this.maxRate, this.tokens + ((now - this.refilledAt) * this.maxRate) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) {
      this.skipped++;
      return;
    }
    this.tokens--;
    const live = { message, username, skippedBefore: this.skipped };
    this.skipped = 0;
    if (this.wake) {
      const wake = this.wake;
      this.wake = undefined;
      wake({ value: live, done: false });
      return;
    }
    if (this.waiting.length >= MAX_WAITING) this.skipped += 1 + this.waiting.shift()!.skippedBefore;
    this.waiting.push(live);
  }

  next(): Promise<IteratorResult<LiveMessage>> {
    const first = this.waiting.shift();
    if (first !== undefined) return Promise.resolve({ value: first, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.wake = resolve));
  }

  return(): Promise<IteratorResult<LiveMessage>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<LiveMessage>> {
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waiting.length = 0;
    this.wake?.({ value: undefined, done: true });
    this.wake = undefined;
    this.onClose(this);
  }
}

/**
 * The messages clients publish, as admins watch them live (`messagePublished`). Installed as the
 * broker's publish watcher only while somebody watches: with nobody, the hot path pays one null check.
 */
export class LiveFeed implements PublishWatcher {
  private readonly watchers = new Set<FeedWatcher>();

  constructor(
    private readonly install: (watcher: PublishWatcher | null) => void,
    private readonly maxRate: number,
  ) {}

  get watching(): number {
    return this.watchers.size;
  }

  watch(filter: string): FeedWatcher {
    const watcher = new FeedWatcher(filter, this.maxRate, (w) => {
      this.watchers.delete(w);
      if (this.watchers.size === 0) this.install(null);
    });
    this.watchers.add(watcher);
    this.install(this);
    return watcher;
  }

  published(message: Message, username: string | undefined): void {
    for (const w of this.watchers) if (topicMatches(w.filter, message.topic)) w.offer(message, username);
  }
}
