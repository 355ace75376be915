import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router, RouterLink } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { errorMessage } from '../../core/graphql/errors';
import { refreshOnActivity, sessionsKey } from '../../core/live/refresh-gate';
import { OwingSessionsDocument, OwingSessionsQuery, StoredMessagesDocument, StoredMessagesQuery } from '../../graphql/generated';
import { MAX_PAGE } from '../../shared/cursor-list';
import { MESSAGE_DIALOG, MessageDetail, MessageDialog } from '../../shared/message-dialog';
import { PageState } from '../../shared/page-state';
import { payloadPreview } from '../../shared/payload';
import { shortTime } from '../../shared/time';

type Owing = OwingSessionsQuery['sessions']['sessions'][number];
type Stored = StoredMessagesQuery['storedMessages'][number];

/** Pages of sessions read to find those owed messages, at most (MAX_PAGE each). */
const MAX_PAGES = 20;

/** The sessions the broker owes QoS 1/2 messages, most owed first. */
export function owing(sessions: readonly Owing[]): Owing[] {
  return sessions.filter((s) => s.inflight + s.queued > 0).sort((a, b) => b.inflight + b.queued - (a.inflight + a.queued) || (a.clientId < b.clientId ? -1 : 1));
}

/**
 * What the broker still owes: the sessions with QoS 1/2 messages in flight or queued, and for the one
 * chosen, those messages (in flight first, then queued). Read again when the counters move, at most every 5 s.
 */
@Component({
  selector: 'app-stored',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, RouterLink, PageState],
  templateUrl: './stored.html',
  styleUrl: './stored.scss',
})
export class StoredPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);
  /** The session shown, from the address (?clientId=). */
  readonly clientId = input<string | undefined>();

  protected readonly sessions = signal<Owing[] | null>(null);
  protected readonly sessionsError = signal<string | null>(null);
  protected readonly detail = signal<StoredMessagesQuery | null>(null);
  protected readonly detailError = signal<string | null>(null);
  protected readonly loadingDetail = signal(false);
  protected readonly messages = computed(() => this.detail()?.storedMessages ?? []);
  protected readonly counts = computed(() => {
    const m = this.messages();
    return { inflight: m.filter((x) => x.state !== 'queued').length, queued: m.filter((x) => x.state === 'queued').length };
  });

  constructor() {
    void this.loadSessions();
    effect(() => {
      const clientId = this.clientId();
      untracked(() => {
        this.detail.set(null);
        this.detailError.set(null);
        if (clientId) void this.loadDetail();
      });
    });
    refreshOnActivity(sessionsKey, async () => {
      await this.loadSessions(true);
      if (this.clientId()) await this.loadDetail(true);
    });
  }

  protected async loadSessions(quiet = false): Promise<void> {
    if (!quiet) this.sessionsError.set(null);
    try {
      const all: Owing[] = [];
      let after: string | null = null;
      for (let i = 0; i < MAX_PAGES; i++) {
        const result = await firstValueFrom(this.apollo.query({ query: OwingSessionsDocument, variables: { first: MAX_PAGE, after } }));
        if (result.error) throw result.error;
        const page: OwingSessionsQuery['sessions'] = result.data!.sessions;
        all.push(...owing(page.sessions));
        after = page.nextCursor;
        if (after === null) break;
      }
      this.sessions.set(owing(all));
      this.sessionsError.set(null);
    } catch (e) {
      if (!quiet || this.sessions() === null) this.sessionsError.set(`The sessions could not be read: ${errorMessage(e)}`);
    }
  }

  protected async loadDetail(quiet = false): Promise<void> {
    const clientId = this.clientId();
    if (!clientId) return;
    if (!quiet) this.detailError.set(null);
    this.loadingDetail.set(true);
    try {
      const result = await firstValueFrom(this.apollo.query({ query: StoredMessagesDocument, variables: { clientId } }));
      if (result.error) throw result.error;
      if (clientId === this.clientId()) {
        this.detail.set(result.data!);
        this.detailError.set(null);
      }
    } catch (e) {
      if (!quiet || this.detail() === null) this.detailError.set(`The messages owed to ${clientId} could not be read: ${errorMessage(e)}`);
    } finally {
      this.loadingDetail.set(false);
    }
  }

  protected show(clientId: string): void {
    const id = clientId.trim();
    if (id) void this.router.navigate(['/stored'], { queryParams: { clientId: id } });
  }

  protected open(m: Stored): void {
    const data: MessageDetail = { ...m, extra: [{ label: 'State', value: m.state }, { label: 'Packet id', value: m.packetId === null ? '—' : String(m.packetId) }] };
    this.dialog.open(MessageDialog, { ...MESSAGE_DIALOG, data });
  }

  protected preview = payloadPreview;
  protected time = shortTime;
}
