import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { RouterLink } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { Subscription, firstValueFrom } from 'rxjs';
import { AuthService } from '../../core/auth/auth.service';
import { errorMessage } from '../../core/graphql/errors';
import { liveSubscription } from '../../core/live/live-subscription';
import { refreshOnActivity, sessionsKey } from '../../core/live/refresh-gate';
import { SocketState } from '../../core/graphql/socket-state';
import { MessagePublishedDocument, PublishDocument, TopicDetailDocument, TopicInfoDocument, TopicRowFragment } from '../../graphql/generated';
import { compactNumber } from '../../shared/format';
import { Icon } from '../../shared/icon';
import { ListedMessage, listed, mergeLatest } from '../../shared/live-messages';
import { MESSAGE_DIALOG, MessageDialog } from '../../shared/message-dialog';
import { PageState } from '../../shared/page-state';
import { payloadPreview } from '../../shared/payload';
import { shortTime } from '../../shared/time';

/** Messages the page keeps: the last ten. */
export const LAST = 10;

/**
 * One topic: who it reaches, whether it holds a retained message, and its last ten messages, live (the
 * recorded ones first, then each one the live feed brings). Admins may publish on it.
 */
@Component({
  selector: 'app-topic',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatButtonModule, MatCheckboxModule, MatFormFieldModule, MatInputModule, MatSelectModule, RouterLink, Icon, PageState],
  templateUrl: './topic.html',
  styleUrl: './topic.scss',
})
export class TopicPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly auth = inject(AuthService);
  protected readonly socket = inject(SocketState);
  /** From the address: /topics/view?topic=a/b */
  readonly topic = input<string>('');

  protected readonly info = signal<TopicRowFragment | null>(null);
  protected readonly loaded = signal(false);
  protected readonly error = signal<string | null>(null);
  private readonly recorded = signal<ListedMessage[]>([]);
  private readonly arrived = signal<ListedMessage[]>([]);
  protected readonly messages = computed(() => mergeLatest(this.arrived(), this.recorded(), LAST));
  protected readonly skipped = signal(0);

  protected payload = '';
  protected qos = 0;
  protected retain = false;
  protected readonly publishing = signal(false);

  private feed: Subscription | undefined;

  constructor() {
    effect(() => {
      const topic = this.topic();
      untracked(() => this.open(topic));
    });
    refreshOnActivity(sessionsKey, () => this.loadInfo());
    inject(DestroyRef).onDestroy(() => this.feed?.unsubscribe());
  }

  private open(topic: string): void {
    this.feed?.unsubscribe();
    this.info.set(null);
    this.loaded.set(false);
    this.recorded.set([]);
    this.arrived.set([]);
    this.skipped.set(0);
    if (!topic) return;
    // The feed first, so nothing published while the recorded ones are read is missed; mergeLatest drops doubles.
    this.feed = liveSubscription(this.apollo, MessagePublishedDocument, { topicFilter: topic }).subscribe((data) => {
      const m = data.messagePublished;
      this.skipped.update((n) => n + m.skippedBefore);
      this.arrived.update((list) => [listed(m), ...list].slice(0, LAST));
    });
    void this.load();
  }

  protected async load(): Promise<void> {
    const topic = this.topic();
    this.error.set(null);
    try {
      const result = await firstValueFrom(this.apollo.query({ query: TopicDetailDocument, variables: { topic } }));
      if (result.error) throw result.error;
      if (topic !== this.topic()) return;
      this.info.set(result.data!.topics.topics.find((t) => t.topic === topic) ?? null);
      this.recorded.set(result.data!.latestMessages.map(listed));
      this.loaded.set(true);
    } catch (e) {
      this.error.set(`This topic could not be read: ${errorMessage(e)}`);
    }
  }

  private async loadInfo(): Promise<void> {
    const topic = this.topic();
    try {
      const result = await firstValueFrom(this.apollo.query({ query: TopicInfoDocument, variables: { topic } }));
      if (topic === this.topic() && result.data) this.info.set(result.data.topics.topics.find((t) => t.topic === topic) ?? null);
    } catch {
      // The next refresh tries again; what is shown stays.
    }
  }

  protected openMessage(m: ListedMessage): void {
    this.dialog.open(MessageDialog, { ...MESSAGE_DIALOG, data: m });
  }

  protected async publish(): Promise<void> {
    const topic = this.topic();
    this.publishing.set(true);
    try {
      const r = await firstValueFrom(
        this.apollo.mutate({ mutation: PublishDocument, variables: { input: { topic, payload: this.payload, qos: this.qos, retain: this.retain, encoding: 'utf8' } } }),
      );
      if (r.error) throw r.error;
      const n = r.data!.publish.deliveries;
      this.snack.open(`Published to ${topic}: ${n} session${n === 1 ? '' : 's'} reached`, undefined, { duration: 4000 });
      if (this.retain) void this.loadInfo();
    } catch (e) {
      this.snack.open(`Could not publish: ${errorMessage(e)}`, 'Close', { duration: 8000 });
    } finally {
      this.publishing.set(false);
    }
  }

  protected preview = payloadPreview;
  protected time = shortTime;
  protected count = compactNumber;
}
