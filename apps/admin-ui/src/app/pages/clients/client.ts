import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import { RouterLink } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { filter as where, firstValueFrom } from 'rxjs';
import { AuthService } from '../../core/auth/auth.service';
import { errorMessage } from '../../core/graphql/errors';
import { LiveService } from '../../core/live/live.service';
import { ClientDetailDocument, ClientDetailQuery, KickClientDocument } from '../../graphql/generated';
import { ConfirmData, ConfirmDialog } from '../../shared/confirm-dialog';
import { Icon } from '../../shared/icon';
import { PageState } from '../../shared/page-state';
import { bytes, duration } from '../../shared/format';

/** The in-flight, queued and traffic counts move without events: read again this often while the page is visible. */
export const REFRESH_MS = 5_000;

/** One client: connection with its traffic, session with subscriptions and will, messages owed; kick (admins). */
@Component({
  selector: 'app-client',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, RouterLink, Icon, PageState],
  templateUrl: './client.html',
  styleUrl: './client.scss',
})
export class ClientPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly auth = inject(AuthService);
  readonly clientId = input.required<string>();

  protected readonly detail = signal<ClientDetailQuery | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly kicking = signal(false);
  protected readonly lastEvent = signal<string | null>(null);
  protected readonly client = computed(() => this.detail()?.client ?? null);
  protected readonly session = computed(() => this.detail()?.session ?? null);
  protected readonly stored = computed(() => this.detail()?.storedMessages ?? []);

  constructor() {
    effect(() => {
      this.clientId();
      untracked(() => {
        this.detail.set(null);
        this.lastEvent.set(null);
        void this.load();
      });
    });
    inject(LiveService)
      .clientEvents.pipe(
        where((e) => e.clientId === this.clientId()),
        takeUntilDestroyed(),
      )
      .subscribe((event) => {
        this.lastEvent.set(`${event.action.replace('_', ' ')} at ${new Date(event.at).toLocaleTimeString()}`);
        void this.load(true);
      });
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible' && this.detail() !== null) void this.load(true);
    }, REFRESH_MS);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  protected async load(quiet = false): Promise<void> {
    const clientId = this.clientId();
    if (!quiet) this.error.set(null);
    try {
      const result = await firstValueFrom(this.apollo.query({ query: ClientDetailDocument, variables: { clientId } }));
      if (result.error) throw result.error;
      if (clientId === this.clientId()) {
        this.detail.set(result.data!);
        this.error.set(null);
      }
    } catch (e) {
      if (!quiet || this.detail() === null) this.error.set(`This client could not be read: ${errorMessage(e)}`);
    }
  }

  protected async kick(): Promise<void> {
    const clientId = this.clientId();
    const data: ConfirmData = {
      title: `Disconnect ${clientId}?`,
      message: 'The broker closes its connection (MQTT 5.0 clients are told: administrative action). Its session stays; the client may connect again.',
      confirm: 'Disconnect',
    };
    const confirmed = await firstValueFrom(this.dialog.open(ConfirmDialog, { data, autoFocus: 'dialog' }).afterClosed());
    if (!confirmed) return;
    this.kicking.set(true);
    try {
      const result = await firstValueFrom(this.apollo.mutate({ mutation: KickClientDocument, variables: { clientId } }));
      if (result.error) throw result.error;
      this.snack.open(`${clientId} was disconnected`, undefined, { duration: 4000 });
      await this.load(true);
    } catch (e) {
      this.snack.open(`Could not disconnect ${clientId}: ${errorMessage(e)}`, 'Close', { duration: 8000 });
    } finally {
      this.kicking.set(false);
    }
  }

  protected time(iso: string | null | undefined): string {
    return iso ? new Date(iso).toLocaleString() : '—';
  }

  protected count(value: number): string {
    return value.toLocaleString('en');
  }

  protected size(value: number): string {
    return bytes(value);
  }

  protected seconds(value: number): string {
    return value === 0 ? 'off' : duration(value);
  }

  protected retainHandling(value: number): string {
    return ['send on subscribe', 'send if new', 'never send'][value] ?? String(value);
  }
}
