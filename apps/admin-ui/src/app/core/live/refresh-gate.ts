import { DestroyRef, effect, inject, untracked } from '@angular/core';
import { LiveService, MetricsTick } from './live.service';

/** No screen reads the broker again more often than this. */
export const MIN_REFRESH_MS = 5_000;

/**
 * When to read a list again that has no subscription of its own: each metrics tick gives a key (e.g. the
 * publish counters); a key that moved asks for a refresh, at once if the last was long enough ago, else
 * once at the end of the interval, however many ticks moved in between; and once more an interval after
 * the key stopped moving. A quiet broker costs nothing.
 */
export class RefreshGate {
  private last = Number.NEGATIVE_INFINITY;
  private pending = false;
  /** Whether to read once more after the key settles: what the counters announce may land a moment later (history, retained). */
  private settling = false;

  constructor(
    private readonly minMs = MIN_REFRESH_MS,
    /** The key when the screen's data was first read; unknown (undefined): the first key offered is taken as it. */
    private key?: string,
  ) {}

  /** The key at `now`: null when nothing is to be done, else in how many ms to refresh. */
  offer(key: string, now: number): number | null {
    const before = this.key;
    this.key = key;
    if (before === undefined || this.pending) return null;
    if (before === key) {
      if (!this.settling || now - this.last < this.minMs) return null;
      this.settling = false;
    } else {
      this.settling = true;
    }
    this.pending = true;
    return Math.max(0, this.last + this.minMs - now);
  }

  /** A refresh ran (asked for or not) at `now`. */
  done(now: number): void {
    this.last = now;
    this.pending = false;
  }
}

/**
 * Reads a screen's data again when the broker's counters say it may have changed (see RefreshGate), at
 * most every 5 s and only while the page is visible. Call in a component's constructor.
 */
export function refreshOnActivity(key: (tick: MetricsTick) => string, load: () => Promise<unknown>, minMs = MIN_REFRESH_MS): RefreshGate {
  const live = inject(LiveService);
  // The key as the screen first reads its data: a tick that moved since then refreshes it. Before the
  // first tick of the feed no key is known; '' makes the first one refresh the screen once.
  const latest = live.latest();
  const gate = new RefreshGate(minMs, latest ? key(latest) : '');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async () => {
    if (globalThis.document?.visibilityState === 'hidden') {
      gate.done(Date.now() - minMs);
      return;
    }
    gate.done(Date.now());
    await load();
  };
  effect(() => {
    const tick = live.latest();
    if (!tick) return;
    untracked(() => {
      const wait = gate.offer(key(tick), Date.now());
      if (wait !== null) timer = setTimeout(() => void run(), wait);
    });
  });
  inject(DestroyRef).onDestroy(() => clearTimeout(timer));
  return gate;
}

/** Publishes in and out: anything routed, recorded, queued or acknowledged moves one of these. */
export const trafficKey = (t: MetricsTick) => `${t.counters.publishReceived}/${t.counters.publishSent}/${t.counters.publishDropped}`;
/** Traffic, and sessions coming, going or expiring. */
export const sessionsKey = (t: MetricsTick) => `${trafficKey(t)}/${t.counters.sessions}/${t.counters.connectionsTotal}/${t.counters.clientsConnected}`;
