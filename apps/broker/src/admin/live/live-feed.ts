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

/** How often the watchers' allowances are topped up: the hot path itself never reads a clock. */
const REFILL_MS = 100;

/**
 * One admin's live view of a topic filter: at most `maxRate` messages a second (a token bucket topped up
 * every REFILL_MS, so a burst after a quiet second still shows), the rest counted as skipped. Bounded: a
 * watcher whose reader falls behind loses the oldest, never the broker's memory.
 */
export class FeedWatcher implements AsyncIterableIterator<LiveMessage> {
  /** Whether the filter is `#`: every topic but those of $SYS, without matching each. */
  readonly everything: boolean;
  private tokens: number;
  private skipped = 0;
  private readonly waiting: LiveMessage[] = [];
  private wake: ((result: IteratorResult<LiveMessage>) => void) | undefined;
  private closed = false;

  constructor(
    readonly filter: string,
    private readonly maxRate: number,
    private readonly onClose: (w: FeedWatcher) => void,
  ) {
    this.tokens = maxRate;
    this.everything = filter === '#';
  }

  /** A tenth of a second's allowance more, up to a second's. */
  refill(): void {
    this.tokens = Math.min(this.maxRate, this.tokens + (this.maxRate * REFILL_MS) / 1000);
  }

  /** Called on the hot path for every message on the filter: a comparison, most of the time. */
  offer(message: Message, username: string | undefined): void {
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
  /** An array, not the Set it mirrors: the hot path walks it with an index. */
  private watchers: FeedWatcher[] = [];
  private refills: NodeJS.Timeout | undefined;

  constructor(
    private readonly install: (watcher: PublishWatcher | null) => void,
    private readonly maxRate: number,
  ) {}

  get watching(): number {
    return this.watchers.length;
  }

  watch(filter: string): FeedWatcher {
    const watcher = new FeedWatcher(filter, this.maxRate, (w) => {
      this.watchers = this.watchers.filter((other) => other !== w);
      if (this.watchers.length > 0) return;
      this.install(null);
      clearInterval(this.refills);
      this.refills = undefined;
    });
    this.watchers = [...this.watchers, watcher];
    this.install(this);
    if (this.refills === undefined) {
      this.refills = setInterval(() => {
        for (const w of this.watchers) w.refill();
      }, REFILL_MS);
      this.refills.unref();
    }
    return watcher;
  }

  published(message: Message, username: string | undefined): void {
    const watchers = this.watchers;
    const topic = message.topic;
    for (let i = 0; i < watchers.length; i++) {
      const w = watchers[i];
      if (w.everything ? topic.charCodeAt(0) !== 0x24 : topicMatches(w.filter, topic)) w.offer(message, username);
    }
  }
}
