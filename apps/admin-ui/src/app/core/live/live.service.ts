import { DestroyRef, Injectable, Signal, computed, effect, inject, signal } from '@angular/core';
import { Apollo } from 'apollo-angular';
import { Subject, Subscription } from 'rxjs';
import { AuthService } from '../auth/auth.service';
import { BrokerMetricsDocument, BrokerMetricsSubscription, ClientEventsDocument, ClientEventsSubscription } from '../../graphql/generated';
import { liveSubscription } from './live-subscription';

export type MetricsTick = BrokerMetricsSubscription['brokerMetrics'];
export type ClientEvent = ClientEventsSubscription['clientEvents'];

/** How much of the brokerMetrics feed is kept for the charts: 15 minutes at a tick a second. */
export const METRICS_WINDOW = 15 * 60;

/** One point of the dashboard's series, derived from a tick. */
export interface MetricsPoint {
  /** Epoch ms */
  t: number;
  connections: number;
  inPerSecond: number;
  outPerSecond: number;
  droppedPerSecond: number;
  sessions: number;
  historyRecordedPerSecond: number;
  historyDroppedPerSecond: number;
  /** QoS 1/2 messages queued for sessions, online and offline */
  queued: number;
  /** QoS 1/2 messages sent and not yet acknowledged */
  inflight: number;
  /** Age of the oldest message waiting to be recorded in the history, in seconds */
  historyLagSeconds: number;
}

export function toPoint(tick: MetricsTick, previous: MetricsTick | undefined): MetricsPoint {
  const t = Date.parse(tick.at);
  const seconds = previous ? Math.max(0.001, (t - Date.parse(previous.at)) / 1000) : 1;
  const rate = (now: number, before: number | undefined) => (before === undefined ? 0 : Math.max(0, now - before) / seconds);
  return {
    t,
    connections: tick.counters.clientsConnected,
    inPerSecond: tick.publishReceivedPerSecond,
    outPerSecond: tick.publishSentPerSecond,
    droppedPerSecond: tick.publishDroppedPerSecond,
    sessions: tick.counters.sessions,
    historyRecordedPerSecond: rate(tick.counters.historyRecorded, previous?.counters.historyRecorded),
    historyDroppedPerSecond: rate(tick.counters.historyDropped, previous?.counters.historyDropped),
    queued: tick.counters.queuedMessages,
    inflight: tick.counters.inflightMessages,
    historyLagSeconds: tick.counters.historyLagSeconds,
  };
}

/**
 * The broker's live feeds while someone is signed in: brokerMetrics (kept for 15 minutes, so the charts
 * have their history whichever screen was open) and clientEvents (for the screens listening).
 */
@Injectable({ providedIn: 'root' })
export class LiveService {
  private readonly apollo = inject(Apollo);
  private readonly auth = inject(AuthService);
  private readonly points = signal<MetricsPoint[]>([]);
  private readonly last = signal<MetricsTick | undefined>(undefined);
  private readonly events = new Subject<ClientEvent>();
  private subscriptions: Subscription[] = [];

  /** The last 15 minutes, oldest first. */
  readonly series: Signal<MetricsPoint[]> = this.points.asReadonly();
  readonly latest: Signal<MetricsTick | undefined> = this.last.asReadonly();
  readonly receiving = computed(() => this.last() !== undefined);
  /** Every client event, as it happens. */
  readonly clientEvents = this.events.asObservable();

  constructor() {
    effect(() => (this.auth.signedIn() ? this.start() : this.stop()));
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  private start(): void {
    if (this.subscriptions.length > 0) return;
    this.subscriptions.push(
      liveSubscription(this.apollo, BrokerMetricsDocument).subscribe((data) => this.add(data.brokerMetrics)),
      liveSubscription(this.apollo, ClientEventsDocument).subscribe((data) => this.events.next(data.clientEvents)),
    );
  }

  private stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
    this.points.set([]);
    this.last.set(undefined);
  }

  private add(tick: MetricsTick): void {
    const point = toPoint(tick, this.last());
    this.last.set(tick);
    this.points.update((points) => {
      const cutoff = point.t - METRICS_WINDOW * 1000;
      let start = 0;
      while (start < points.length && points[start]!.t <= cutoff) start++;
      const next = start > 0 ? points.slice(start) : points.slice();
      next.push(point);
      return next;
    });
  }
}
