import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { bufferTime, filter as where, firstValueFrom } from 'rxjs';
import { errorMessage } from '../../core/graphql/errors';
import { LiveService } from '../../core/live/live.service';
import { SessionEventsDocument } from '../../graphql/generated';
import { PageState } from '../../shared/page-state';
import { ACTIONS, EventFilter, LogEvent, NO_FILTER, matchesFilter, prepend, queryVariables, summary } from './session-events';

const PAGE = 50;

/** What happened to clients, newest first: filtered by client, user, kind and time; paged; live at the top. */
@Component({
  selector: 'app-session-log',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, MatSelectModule, RouterLink, PageState],
  templateUrl: './session-log.html',
  styleUrl: './session-log.scss',
})
export class SessionLogPage {
  private readonly apollo = inject(Apollo);
  protected readonly actions = ACTIONS;
  protected readonly filter = signal<EventFilter>(NO_FILTER);
  protected readonly events = signal<LogEvent[] | null>(null);
  protected readonly cursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly filtered = computed(() => {
    const f = this.filter();
    return !!(f.clientId.trim() || f.username.trim() || f.actions.length || f.from || f.to);
  });
  /** A client id is the API's only filter then. */
  protected readonly clientOnly = computed(() => this.filter().clientId.trim() !== '');
  protected readonly live = computed(() => !this.filter().to);
  private generation = 0;
  private liveCount = 0;

  constructor() {
    let timer: ReturnType<typeof setTimeout> | undefined;
    effect(() => {
      this.filter();
      clearTimeout(timer);
      timer = setTimeout(() => void untracked(() => this.load()), this.events() === null ? 0 : 300);
    });
    inject(DestroyRef).onDestroy(() => clearTimeout(timer));

    inject(LiveService)
      .clientEvents.pipe(
        bufferTime(250),
        where((batch) => batch.length > 0),
        takeUntilDestroyed(),
      )
      .subscribe((batch) => {
        const filter = this.filter();
        const fresh = batch.filter((e) => matchesFilter(e, filter)).map((e) => ({ ...e, id: `live-${++this.liveCount}`, details: e.details ?? null }));
        if (fresh.length > 0 && this.events() !== null) this.events.update((list) => prepend(list ?? [], fresh));
      });
  }

  protected set<K extends keyof EventFilter>(key: K, value: EventFilter[K]): void {
    this.filter.update((f) => ({ ...f, [key]: value }));
  }

  protected clear(): void {
    this.filter.set(NO_FILTER);
  }

  protected async load(more = false): Promise<void> {
    const generation = ++this.generation;
    this.loading.set(true);
    if (!more) this.error.set(null);
    try {
      const after = more ? this.cursor() : null;
      const result = await firstValueFrom(this.apollo.query({ query: SessionEventsDocument, variables: { ...queryVariables(this.filter()), first: PAGE, after } }));
      if (result.error) throw result.error;
      if (generation !== this.generation) return;
      const page = result.data!.sessionEvents;
      const events = page.events.map((e) => ({ ...e, details: e.details ?? null }));
      this.events.update((list) => (more && list ? [...list, ...events] : events));
      this.cursor.set(page.nextCursor);
    } catch (e) {
      if (generation === this.generation) this.error.set(`The session log could not be read: ${errorMessage(e)}`);
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }

  protected summary(event: LogEvent): string {
    return summary(event.action, event.details);
  }

  protected label(action: string): string {
    return ACTIONS.find((a) => a.value === action)?.label ?? action;
  }

  protected time(iso: string): string {
    return new Date(iso).toLocaleString();
  }
}
