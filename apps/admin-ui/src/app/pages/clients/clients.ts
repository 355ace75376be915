import { ScrollingModule } from '@angular/cdk/scrolling';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { Subject, bufferTime, filter as where, firstValueFrom } from 'rxjs';
import { errorMessage } from '../../core/graphql/errors';
import { ClientEvent, LiveService } from '../../core/live/live.service';
import { ClientByIdDocument, ClientsDocument, ClientsQuery } from '../../graphql/generated';
import { Icon } from '../../shared/icon';
import { PageState } from '../../shared/page-state';
import { ClientRow, Sort, SortKey, matchesFilter, sortClients, upsert } from './client-list';

/** The API's largest page. */
const PAGE = 500;
/** More connects than this in one batch: read the whole list again rather than each client. */
const REFETCH_ABOVE = 25;

interface Column {
  key: SortKey;
  label: string;
}

/**
 * Connected clients: every page of the API read into one list (10,000 rows scroll smoothly in a virtual
 * viewport), filtered by the API, sorted here, kept live with clientEvents.
 */
@Component({
  selector: 'app-clients',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ScrollingModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, RouterLink, Icon, PageState],
  templateUrl: './clients.html',
  styleUrl: './clients.scss',
})
export class ClientsPage {
  private readonly apollo = inject(Apollo);
  private readonly live = inject(LiveService);

  protected readonly columns: readonly Column[] = [
    { key: 'clientId', label: 'Client id' },
    { key: 'username', label: 'User' },
    { key: 'address', label: 'Address' },
    { key: 'connectedAt', label: 'Connected' },
    { key: 'protocolVersion', label: 'MQTT' },
    { key: 'subscriptions', label: 'Subs' },
    { key: 'inflight', label: 'In flight' },
    { key: 'queued', label: 'Queued' },
  ];
  protected readonly filter = signal('');
  protected readonly sort = signal<Sort>({ key: 'clientId', direction: 'asc' });
  protected readonly clients = signal<ClientRow[] | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly rows = computed(() => sortClients(this.clients() ?? [], this.sort()));
  private readonly reload$ = new Subject<void>();
  private generation = 0;
  private lastConnectsTotal: number | undefined;
  private eventsSinceTick = 0;

  constructor() {
    // A new filter: read the list again (after a pause in the typing).
    let timer: ReturnType<typeof setTimeout> | undefined;
    effect(() => {
      this.filter();
      clearTimeout(timer);
      timer = setTimeout(() => void untracked(() => this.load()), this.clients() === null ? 0 : 250);
    });
    inject(DestroyRef).onDestroy(() => clearTimeout(timer));

    this.live.clientEvents
      .pipe(
        bufferTime(250),
        where((batch) => batch.length > 0),
        takeUntilDestroyed(),
      )
      .subscribe((batch) => void this.apply(batch));

    // Without session events (SESSION_EVENTS=false) no clientEvents come: the metrics ticks still tell
    // that clients came or went, and then the list is read again, at most every 5 s.
    let lastSync = Date.now();
    effect(() => {
      const tick = this.live.latest();
      if (!tick) return;
      const total = tick.counters.connectionsTotal;
      untracked(() => {
        const before = this.lastConnectsTotal;
        this.lastConnectsTotal = total;
        const unseen = before !== undefined && total - before > this.eventsSinceTick;
        this.eventsSinceTick = 0;
        if (unseen && Date.now() - lastSync >= 5_000 && !this.loading()) {
          lastSync = Date.now();
          void this.load(true);
        }
      });
    });
  }

  protected async load(quiet = false): Promise<void> {
    const generation = ++this.generation;
    const filter = this.filter().trim() || null;
    this.loading.set(true);
    if (!quiet) this.error.set(null);
    try {
      const all: ClientRow[] = [];
      let after: string | null = null;
      do {
        const page: ClientsQuery['clients'] = await this.page(filter, after);
        if (generation !== this.generation) return;
        all.push(...page.clients);
        after = page.nextCursor;
        // Show the first pages while the rest arrive.
        if (this.clients() === null || after === null) this.clients.set(all.slice());
      } while (after !== null);
      this.clients.set(all);
      this.error.set(null);
    } catch (e) {
      if (generation === this.generation) this.error.set(`The clients could not be read: ${errorMessage(e)}`);
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }

  private async page(filter: string | null, after: string | null): Promise<ClientsQuery['clients']> {
    const result = await firstValueFrom(this.apollo.query({ query: ClientsDocument, variables: { filter, first: PAGE, after } }));
    if (result.error) throw result.error;
    return result.data!.clients;
  }

  private async apply(batch: ClientEvent[]): Promise<void> {
    this.eventsSinceTick += batch.filter((e) => e.action === 'connect').length;
    if (this.clients() === null) return;
    const gone = new Set<string>();
    const came = new Set<string>();
    for (const event of batch) {
      if (event.action === 'connect') {
        came.add(event.clientId);
        gone.delete(event.clientId);
      } else if (event.action === 'disconnect' || event.action === 'kicked') {
        gone.add(event.clientId);
        came.delete(event.clientId);
      }
    }
    if (gone.size > 0) this.clients.update((list) => list && list.filter((c) => !gone.has(c.clientId)));
    if (came.size > REFETCH_ABOVE) return this.load(true);
    const filter = this.filter();
    for (const clientId of came) {
      try {
        const result = await firstValueFrom(this.apollo.query({ query: ClientByIdDocument, variables: { clientId } }));
        const client = result.data?.client;
        if (client && matchesFilter(client, filter)) this.clients.update((list) => list && upsert(list, client));
      } catch {
        // It may have gone again already; the next event or reload says.
      }
    }
  }

  protected sortBy(key: SortKey): void {
    this.sort.update((s) => (s.key === key ? { key, direction: s.direction === 'asc' ? 'desc' : 'asc' } : { key, direction: 'asc' }));
  }

  protected ariaSort(key: SortKey): 'ascending' | 'descending' | 'none' {
    const s = this.sort();
    return s.key !== key ? 'none' : s.direction === 'asc' ? 'ascending' : 'descending';
  }

  protected time(iso: string): string {
    return new Date(iso).toLocaleTimeString();
  }

  protected readonly trackId = (_: number, c: ClientRow) => c.clientId;
}
