import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { MatSlideToggleChange, MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../core/auth/auth.service';
import { errorMessage } from '../../core/graphql/errors';
import { LiveService, MetricsTick } from '../../core/live/live.service';
import { refreshOnActivity } from '../../core/live/refresh-gate';
import { BrokerListenersDocument, BrokerStatusDocument, BrokerStatusQuery, ListenerRowFragment, SetListenerEnabledDocument } from '../../graphql/generated';
import { ChartSeries, LineChart } from '../../shared/line-chart';
import { PageState } from '../../shared/page-state';
import { bytes, compactNumber, duration } from '../../shared/format';
import { StopListenerData, StopListenerDialog, StopListenerResult } from './stop-listener-dialog';

type Status = BrokerStatusQuery['brokerStatus'];
type Listener = ListenerRowFragment;

/** Clients coming or going: the listeners' connection counts may have moved. */
const connectionsKey = (t: MetricsTick) => `${t.counters.connectionsTotal}/${t.counters.clientsConnected}`;

const SCHEMES: Record<string, string> = { mqtt: 'mqtt', mqtts: 'mqtts', ws: 'ws' };

/** Where a client reaches a listener: mqtt://host:port, ws://host:port/mqtt. */
export function listenerAddress(listener: Pick<Listener, 'kind' | 'host' | 'port'>, pageHost: string): string {
  const host = listener.host === '0.0.0.0' || listener.host === '::' ? pageHost : listener.host;
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return `${SCHEMES[listener.kind] ?? listener.kind}://${bracketed}:${listener.port}${listener.kind === 'ws' ? '/mqtt' : ''}`;
}

/**
 * The broker at a glance: live charts of the last 15 minutes, counters, listeners (admins stop and start
 * them), version and uptime.
 */
@Component({
  selector: 'app-dashboard',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatSlideToggleModule, LineChart, PageState],
  templateUrl: './dashboard.html',
  styleUrl: './dashboard.scss',
})
export class DashboardPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly auth = inject(AuthService);
  protected readonly live = inject(LiveService);

  protected readonly status = signal<Status | null>(null);
  protected readonly error = signal<string | null>(null);
  /** The listeners as last read or changed: their state and connections move after the status is read. */
  protected readonly listeners = signal<Listener[]>([]);
  /** The id of the listener being stopped or started. */
  protected readonly switching = signal<string | null>(null);
  protected readonly listenerError = signal<string | null>(null);
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
  protected readonly queued = computed<ChartSeries[]>(() => [
    { label: 'queued', color: 'var(--chart-4)', values: this.live.series().map((p) => p.queued) },
    { label: 'in flight', color: 'var(--chart-1)', values: this.live.series().map((p) => p.inflight) },
  ]);
  protected readonly historyLag = computed<ChartSeries[]>(() => [
    { label: 'lag', color: 'var(--chart-3)', values: this.live.series().map((p) => p.historyLagSeconds) },
  ]);

  /** When the broker started, in the reader's time zone (as the settings page writes it). */
  protected readonly startedAt = computed(() => {
    const status = this.status();
    return status ? new Date(status.startedAt).toLocaleString() : '';
  });

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
    refreshOnActivity(connectionsKey, () => this.loadListeners());
  }

  protected async load(): Promise<void> {
    this.error.set(null);
    this.status.set(null);
    try {
      const result = await firstValueFrom(this.apollo.query({ query: BrokerStatusDocument }));
      if (result.error) throw result.error;
      this.status.set(result.data!.brokerStatus);
      this.listeners.set(result.data!.brokerStatus.listeners);
    } catch (e) {
      this.error.set(`The broker's status could not be read: ${errorMessage(e)}`);
    }
  }

  /** Reads the listeners again, quietly: the last list stays when the broker cannot be read. */
  private async loadListeners(): Promise<void> {
    if (this.status() === null || this.switching() !== null) return;
    try {
      const result = await firstValueFrom(this.apollo.query({ query: BrokerListenersDocument }));
      if (!result.error && this.switching() === null) this.listeners.set(result.data!.brokerStatus.listeners);
    } catch {
      // The next change of the counters tries again.
    }
  }

  protected address(listener: Listener): string {
    return listenerAddress(listener, this.pageHost);
  }

  /** The switch of a listener moved: stopping asks first (and whether its clients go too); starting does not. */
  protected async toggle(listener: Listener, change: MatSlideToggleChange): Promise<void> {
    const enabled = change.checked;
    let disconnectClients = false;
    if (!enabled) {
      const data: StopListenerData = { address: this.address(listener), connections: listener.connections };
      const answer = await firstValueFrom(
        this.dialog.open<StopListenerDialog, StopListenerData, StopListenerResult>(StopListenerDialog, { data, autoFocus: 'dialog' }).afterClosed(),
      );
      if (!answer) {
        change.source.checked = listener.enabled;
        return;
      }
      disconnectClients = answer.disconnectClients;
    }
    this.switching.set(listener.id);
    this.listenerError.set(null);
    try {
      const result = await firstValueFrom(this.apollo.mutate({ mutation: SetListenerEnabledDocument, variables: { listener: listener.id, enabled, disconnectClients } }));
      if (result.error) throw result.error;
      const after = result.data!.setListenerEnabled;
      this.listeners.update((list) => list.map((l) => (l.id === after.id ? after : l)));
      this.snack.open(`${this.address(after)} ${after.enabled ? 'accepts connections again' : 'stopped accepting connections'}`, undefined, { duration: 4000 });
    } catch (e) {
      this.listenerError.set(`Could not ${enabled ? 'start' : 'stop'} ${this.address(listener)}: ${errorMessage(e)}`);
    } finally {
      this.switching.set(null);
      // What the broker says now, whichever way it went (a listener that failed to start stays stopped).
      await this.loadListeners();
      change.source.checked = this.listeners().find((l) => l.id === listener.id)?.enabled ?? enabled;
    }
  }
}
