import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { errorMessage } from '../../core/graphql/errors';
import { LiveService } from '../../core/live/live.service';
import { BrokerStatusDocument, BrokerStatusQuery } from '../../graphql/generated';
import { ChartSeries, LineChart } from '../../shared/line-chart';
import { PageState } from '../../shared/page-state';
import { bytes, compactNumber, duration } from '../../shared/format';

type Status = BrokerStatusQuery['brokerStatus'];
type Listener = Status['listeners'][number];

const SCHEMES: Record<string, string> = { mqtt: 'mqtt', mqtts: 'mqtts', ws: 'ws' };

/** Where a client reaches a listener: mqtt://host:port, ws://host:port/mqtt. */
export function listenerAddress(listener: Listener, pageHost: string): string {
  const host = listener.host === '0.0.0.0' || listener.host === '::' ? pageHost : listener.host;
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return `${SCHEMES[listener.kind] ?? listener.kind}://${bracketed}:${listener.port}${listener.kind === 'ws' ? '/mqtt' : ''}`;
}

/** The broker at a glance: live charts of the last 15 minutes, counters, listeners, version and uptime. */
@Component({
  selector: 'app-dashboard',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [LineChart, PageState],
  templateUrl: './dashboard.html',
  styleUrl: './dashboard.scss',
})
export class DashboardPage {
  private readonly apollo = inject(Apollo);
  protected readonly live = inject(LiveService);

  protected readonly status = signal<Status | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly pageHost = globalThis.location?.hostname ?? 'localhost';

  protected readonly times = computed(() => this.live.series().map((p) => p.t));
  protected readonly connections = computed<ChartSeries[]>(() => [
    { label: 'connected', color: 'var(--chart-1)', values: this.live.series().map((p) => p.connections) },
    { label: 'sessions', color: 'var(--chart-4)', values: this.live.series().map((p) => p.sessions) },
  ]);
  protected readonly messages = computed<ChartSeries[]>(() => [
    { label: 'in', color: 'var(--chart-1)', values: this.live.series().map((p) => p.inPerSecond) },
    { label: 'out', color: 'var(--chart-2)', values: this.live.series().map((p) => p.outPerSecond) },
  ]);
  protected readonly drops = computed<ChartSeries[]>(() => [
    { label: 'dropped', color: 'var(--chart-3)', values: this.live.series().map((p) => p.droppedPerSecond) },
  ]);
  protected readonly history = computed<ChartSeries[]>(() => [
    { label: 'recorded', color: 'var(--chart-2)', values: this.live.series().map((p) => p.historyRecordedPerSecond) },
    { label: 'not recorded', color: 'var(--chart-3)', values: this.live.series().map((p) => p.historyDroppedPerSecond) },
  ]);

  /** Uptime moves with the metrics ticks: no timer of its own. */
  protected readonly uptime = computed(() => {
    const status = this.status();
    if (!status) return '';
    const at = this.live.latest()?.at;
    const seconds = at ? (Date.parse(at) - Date.parse(status.startedAt)) / 1000 : status.uptimeSeconds;
    return duration(seconds);
  });

  protected readonly counters = computed(() => {
    const c = this.live.latest()?.counters;
    if (!c) return [];
    return [
      { label: 'Clients connected', value: compactNumber(c.clientsConnected), hint: `most at once: ${compactNumber(c.clientsMaximum)}` },
      { label: 'Sessions', value: compactNumber(c.sessions), hint: 'online and offline' },
      { label: 'Messages in', value: compactNumber(c.publishReceived), hint: bytes(c.bytesReceived) + ' received' },
      { label: 'Messages out', value: compactNumber(c.publishSent), hint: bytes(c.bytesSent) + ' sent' },
      { label: 'Dropped', value: compactNumber(c.publishDropped), hint: 'queue full, slow consumer, too large, expired' },
      { label: 'Connections', value: compactNumber(c.connectionsTotal), hint: 'since start' },
    ];
  });

  constructor() {
    void this.load();
  }

  protected async load(): Promise<void> {
    this.error.set(null);
    this.status.set(null);
    try {
      const result = await firstValueFrom(this.apollo.query({ query: BrokerStatusDocument }));
      if (result.error) throw result.error;
      this.status.set(result.data!.brokerStatus);
    } catch (e) {
      this.error.set(`The broker's status could not be read: ${errorMessage(e)}`);
    }
  }

  protected address(listener: Listener): string {
    return listenerAddress(listener, this.pageHost);
  }
}
