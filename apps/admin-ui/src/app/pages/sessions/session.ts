import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router, RouterLink } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../core/auth/auth.service';
import { errorMessage } from '../../core/graphql/errors';
import { refreshOnActivity, sessionsKey } from '../../core/live/refresh-gate';
import { SessionDetailDocument, SessionDetailQuery } from '../../graphql/generated';
import { duration } from '../../shared/format';
import { Icon } from '../../shared/icon';
import { MESSAGE_DIALOG, MessageDetail, MessageDialog } from '../../shared/message-dialog';
import { PageState } from '../../shared/page-state';
import { payloadPreview } from '../../shared/payload';
import { PayloadView } from '../../shared/payload-view';
import { countdown, shortTime, tickingNow } from '../../shared/time';
import { deleteSession } from './sessions';

type Stored = SessionDetailQuery['storedMessages'][number];

/** One session: state and expiry (ticking), subscriptions with their options, will, the messages it is owed. */
@Component({
  selector: 'app-session',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, RouterLink, Icon, PageState, PayloadView],
  templateUrl: './session.html',
  styleUrl: './sessions.scss',
})
export class SessionPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  private readonly router = inject(Router);
  protected readonly auth = inject(AuthService);
  readonly clientId = input.required<string>();

  protected readonly now = tickingNow();
  protected readonly detail = signal<SessionDetailQuery | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly deleting = signal(false);
  protected readonly session = computed(() => this.detail()?.session ?? null);
  protected readonly stored = computed(() => this.detail()?.storedMessages ?? []);
  protected readonly expires = computed(() => {
    const s = this.session();
    if (!s) return '';
    return s.online ? 'when its connection has been gone ' + this.seconds(s.expiryInterval) : countdown(s.expiresAt, this.now());
  });

  constructor() {
    effect(() => {
      this.clientId();
      untracked(() => {
        this.detail.set(null);
        void this.load();
      });
    });
    refreshOnActivity(sessionsKey, () => this.load(true));
  }

  protected async load(quiet = false): Promise<void> {
    const clientId = this.clientId();
    if (!quiet) this.error.set(null);
    try {
      const result = await firstValueFrom(this.apollo.query({ query: SessionDetailDocument, variables: { clientId } }));
      if (result.error) throw result.error;
      if (clientId === this.clientId()) {
        this.detail.set(result.data!);
        this.error.set(null);
      }
    } catch (e) {
      if (!quiet || this.detail() === null) this.error.set(`This session could not be read: ${errorMessage(e)}`);
    }
  }

  protected async remove(): Promise<void> {
    this.deleting.set(true);
    try {
      if (await deleteSession(this.dialog, this.apollo, this.snack, this.clientId())) await this.router.navigateByUrl('/sessions');
    } finally {
      this.deleting.set(false);
    }
  }

  protected open(m: Stored): void {
    const data: MessageDetail = { ...m, extra: [{ label: 'State', value: m.state }, { label: 'Packet id', value: m.packetId === null ? '—' : String(m.packetId) }] };
    this.dialog.open(MessageDialog, { ...MESSAGE_DIALOG, data });
  }

  protected preview = payloadPreview;
  protected time = shortTime;

  protected seconds(value: number): string {
    return value === 0 ? 'off' : value >= 0xffffffff ? 'never' : duration(value);
  }

  protected retainHandling(value: number): string {
    return ['send on subscribe', 'send if new', 'never send'][value] ?? String(value);
  }
}
