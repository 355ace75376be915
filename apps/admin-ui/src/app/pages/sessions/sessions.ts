import { ChangeDetectionStrategy, Component, DestroyRef, effect, inject, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { RouterLink } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../core/auth/auth.service';
import { errorMessage } from '../../core/graphql/errors';
import { refreshOnActivity, sessionsKey } from '../../core/live/refresh-gate';
import { DeleteSessionDocument, SessionRowFragment, SessionsDocument } from '../../graphql/generated';
import { ConfirmData, ConfirmDialog } from '../../shared/confirm-dialog';
import { CursorList } from '../../shared/cursor-list';
import { Icon } from '../../shared/icon';
import { PageState } from '../../shared/page-state';
import { countdown, tickingNow } from '../../shared/time';

type Online = 'all' | 'online' | 'offline';

/** Asks before ending an offline session; deletes it; says how it went. True when it was deleted. */
export async function deleteSession(dialog: MatDialog, apollo: Apollo, snack: MatSnackBar, clientId: string): Promise<boolean> {
  const data: ConfirmData = {
    title: `Delete the session of ${clientId}?`,
    message: 'Its subscriptions, the messages queued for it and a pending will go. If the client connects again it starts a new session.',
    confirm: 'Delete',
  };
  if (!(await firstValueFrom(dialog.open(ConfirmDialog, { data, autoFocus: 'dialog' }).afterClosed()))) return false;
  try {
    const r = await firstValueFrom(apollo.mutate({ mutation: DeleteSessionDocument, variables: { clientId } }));
    if (r.error) throw r.error;
    snack.open(`The session of ${clientId} was deleted`, undefined, { duration: 4000 });
    return true;
  } catch (e) {
    snack.open(`Could not delete the session of ${clientId}: ${errorMessage(e)}`, 'Close', { duration: 8000 });
    return false;
  }
}

/**
 * Persistent sessions, connected or not: expiry counting down on the client, in flight and queued counts;
 * read again when the broker's counters move (at most every 5 s); offline ones may be deleted (admins).
 */
@Component({
  selector: 'app-sessions',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatButtonToggleModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, MatTooltipModule, RouterLink, Icon, PageState],
  templateUrl: './sessions.html',
  styleUrl: './sessions.scss',
})
export class SessionsPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly auth = inject(AuthService);
  protected readonly now = tickingNow();
  protected readonly filter = signal('');
  protected readonly online = signal<Online>('all');
  protected readonly busy = signal<string | null>(null);
  protected readonly list = new CursorList<SessionRowFragment>(async (first, after) => {
    const online = this.online();
    const result = await firstValueFrom(
      this.apollo.query({ query: SessionsDocument, variables: { filter: this.filter().trim() || null, online: online === 'all' ? null : online === 'online', first, after } }),
    );
    if (result.error) throw result.error;
    const page = result.data!.sessions;
    return { items: page.sessions, nextCursor: page.nextCursor, total: page.total };
  }, 'The sessions');

  constructor() {
    let timer: ReturnType<typeof setTimeout> | undefined;
    effect(() => {
      this.filter();
      this.online();
      clearTimeout(timer);
      timer = setTimeout(() => void untracked(() => this.list.reload()), untracked(() => this.list.items()) === null ? 0 : 250);
    });
    inject(DestroyRef).onDestroy(() => clearTimeout(timer));
    refreshOnActivity(sessionsKey, () => this.list.reload(true));
  }

  protected expires(s: SessionRowFragment): string {
    return s.online ? 'connected' : countdown(s.expiresAt, this.now());
  }

  protected async remove(s: SessionRowFragment): Promise<void> {
    this.busy.set(s.clientId);
    try {
      if (await deleteSession(this.dialog, this.apollo, this.snack, s.clientId)) await this.list.reload(true);
    } finally {
      this.busy.set(null);
    }
  }

  protected emptyMessage(): string {
    const f = this.filter().trim();
    const which = this.online() === 'online' ? 'connected ' : this.online() === 'offline' ? 'offline ' : '';
    if (f) return `No ${which}persistent session matches “${f}”.`;
    return `No ${which}persistent session. Clients that connect with a Session Expiry Interval (MQTT 5.0) or clean session off (3.1.1) appear here.`;
  }
}
