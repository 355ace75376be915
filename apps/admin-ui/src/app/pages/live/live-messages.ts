import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { Router } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { Subscription, bufferTime, filter as where, firstValueFrom } from 'rxjs';
import { SocketState } from '../../core/graphql/socket-state';
import { liveSubscription } from '../../core/live/live-subscription';
import { MessagePublishedDocument } from '../../graphql/generated';
import { ConfirmData, ConfirmDialog } from '../../shared/confirm-dialog';
import { Icon } from '../../shared/icon';
import { ListedMessage, addNewest, filterProblem, listed, watchesEverything } from '../../shared/live-messages';
import { MESSAGE_DIALOG, MessageDialog } from '../../shared/message-dialog';
import { PageState } from '../../shared/page-state';
import { PayloadView, formatPayload, payloadPreview, propertyRows } from '../../shared/payload';
import { shortTime } from '../../shared/time';

export const KEEP_CHOICES = [50, 100, 500, 1000] as const;

/**
 * Messages as clients publish them on a topic filter (messagePublished): the last N kept, newest first,
 * payloads as text, JSON or hex; pause keeps what arrives aside until resumed; what the feed's rate limit
 * skipped is counted. Watching every topic is confirmed first.
 */
@Component({
  selector: 'app-live-messages',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatButtonToggleModule, MatFormFieldModule, MatInputModule, MatSelectModule, Icon, PageState],
  templateUrl: './live-messages.html',
  styleUrl: './live-messages.scss',
})
export class LiveMessagesPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);
  protected readonly socket = inject(SocketState);
  /** The filter watched, from the address (?filter=): a link or a reload watches it again. */
  readonly filter = input<string | undefined>();

  protected readonly keepChoices = KEEP_CHOICES;
  protected readonly keep = signal<number>(100);
  protected readonly view = signal<PayloadView>('text');
  protected readonly paused = signal(false);
  protected readonly messages = signal<ListedMessage[]>([]);
  private readonly held = signal<ListedMessage[]>([]);
  protected readonly heldCount = computed(() => this.held().length);
  protected readonly received = signal(0);
  protected readonly skipped = signal(0);
  /** What is wrong with the filter typed, said before subscribing. */
  protected readonly problem = signal<string | null>(null);
  protected readonly watching = computed(() => this.filter()?.trim() || null);
  private feed: Subscription | undefined;

  constructor() {
    effect(() => {
      const filter = this.watching();
      untracked(() => this.watch(filter));
    });
    inject(DestroyRef).onDestroy(() => this.feed?.unsubscribe());
  }

  /** Asks before watching every topic; then puts the filter in the address, which starts the feed. */
  protected async start(value: string): Promise<void> {
    const filter = value.trim();
    this.problem.set(filterProblem(filter));
    if (this.problem() !== null) return;
    if (watchesEverything(filter)) {
      const data: ConfirmData = {
        title: `Watch every topic (${filter})?`,
        message: 'Every message any client publishes is sent to this page, up to the live feed\'s rate limit (the rest are counted as skipped). On a busy broker, a narrower filter shows more of what matters.',
        confirm: 'Watch everything',
      };
      if (!(await firstValueFrom(this.dialog.open(ConfirmDialog, { data, autoFocus: 'dialog' }).afterClosed()))) return;
    }
    await this.router.navigate(['/live'], { queryParams: { filter } });
  }

  protected stop(): void {
    void this.router.navigate(['/live']);
  }

  private watch(filter: string | null): void {
    this.feed?.unsubscribe();
    this.feed = undefined;
    this.messages.set([]);
    this.held.set([]);
    this.received.set(0);
    this.skipped.set(0);
    this.paused.set(false);
    if (!filter) return;
    // Messages are taken in batches of a quarter second: one change of the list per batch, however fast they come.
    this.feed = liveSubscription(this.apollo, MessagePublishedDocument, { topicFilter: filter })
      .pipe(
        bufferTime(250),
        where((batch) => batch.length > 0),
      )
      .subscribe((batch) => this.add(batch.map((d) => listed(d.messagePublished))));
  }

  private add(batch: ListedMessage[]): void {
    this.received.update((n) => n + batch.length);
    this.skipped.update((n) => n + batch.reduce((s, m) => s + m.skippedBefore, 0));
    if (this.paused()) this.held.update((held) => [...held, ...batch].slice(-this.keep()));
    else this.messages.update((list) => addNewest(list, batch, this.keep()));
  }

  protected togglePause(): void {
    if (this.paused()) {
      const held = this.held();
      this.held.set([]);
      this.messages.update((list) => addNewest(list, held, this.keep()));
    }
    this.paused.update((p) => !p);
  }

  protected setKeep(n: number): void {
    this.keep.set(n);
    this.messages.update((list) => list.slice(0, n));
  }

  protected clear(): void {
    this.messages.set([]);
    this.held.set([]);
  }

  protected open(m: ListedMessage): void {
    this.dialog.open(MessageDialog, { ...MESSAGE_DIALOG, data: m });
  }

  protected body(m: ListedMessage): string {
    const view = this.view();
    if (view === 'text') return payloadPreview(m, 400);
    return formatPayload(m, view).body;
  }

  protected propertyCount(m: ListedMessage): number {
    return propertyRows(m.properties).length;
  }

  protected time = shortTime;
}
