import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../core/auth/auth.service';
import { errorMessage } from '../../core/graphql/errors';
import { refreshOnActivity, trafficKey } from '../../core/live/refresh-gate';
import { ClearRetainedDocument, RetainedDocument, RetainedRowFragment } from '../../graphql/generated';
import { ConfirmData, ConfirmDialog } from '../../shared/confirm-dialog';
import { CursorList } from '../../shared/cursor-list';
import { Icon } from '../../shared/icon';
import { MESSAGE_DIALOG, MessageDetail, MessageDialog } from '../../shared/message-dialog';
import { PageState } from '../../shared/page-state';
import { payloadPreview } from '../../shared/payload';
import { shortTime } from '../../shared/time';

/**
 * The retained messages, browsed by topic filter; admins clear one or several (after confirming: nothing
 * is delivered, the topics simply hold nothing). Read again when messages flow, at most every 5 s.
 */
@Component({
  selector: 'app-retained',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatCheckboxModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, MatTooltipModule, Icon, PageState],
  templateUrl: './retained.html',
  styleUrl: './retained.scss',
})
export class RetainedPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly auth = inject(AuthService);
  /** A filter to start with, from the address (?filter=). */
  readonly initialFilter = input<string | undefined>(undefined, { alias: 'filter' });

  protected readonly filter = signal('#');
  protected readonly selected = signal(new Set<string>());
  protected readonly clearing = signal(false);
  protected readonly list = new CursorList<RetainedRowFragment>(async (first, after) => {
    const result = await firstValueFrom(this.apollo.query({ query: RetainedDocument, variables: { filter: this.filter().trim() || '#', first, after } }));
    if (result.error) throw result.error;
    const page = result.data!.retainedMessages;
    return { items: page.messages, nextCursor: page.nextCursor, total: page.total };
  }, 'The retained messages');
  protected readonly allSelected = computed(() => {
    const items = this.list.items() ?? [];
    return items.length > 0 && items.every((m) => this.selected().has(m.topic));
  });

  constructor() {
    effect(() => {
      const initial = this.initialFilter();
      if (initial) untracked(() => this.filter.set(initial));
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    effect(() => {
      this.filter();
      clearTimeout(timer);
      timer = setTimeout(() => void untracked(() => this.list.reload()), untracked(() => this.list.items()) === null ? 0 : 400);
    });
    inject(DestroyRef).onDestroy(() => clearTimeout(timer));
    // Selected topics that are gone are no longer selected.
    effect(() => {
      const topics = new Set((this.list.items() ?? []).map((m) => m.topic));
      untracked(() => this.selected.update((s) => new Set([...s].filter((t) => topics.has(t)))));
    });
    refreshOnActivity(trafficKey, () => this.list.reload(true));
  }

  protected toggle(topic: string, on: boolean): void {
    this.selected.update((s) => {
      const next = new Set(s);
      if (on) next.add(topic);
      else next.delete(topic);
      return next;
    });
  }

  protected toggleAll(on: boolean): void {
    this.selected.set(on ? new Set((this.list.items() ?? []).map((m) => m.topic)) : new Set());
  }

  protected async clear(topics: string[]): Promise<void> {
    if (topics.length === 0) return;
    const data: ConfirmData = {
      title: topics.length === 1 ? `Clear the retained message of ${topics[0]}?` : `Clear ${topics.length} retained messages?`,
      message: 'New subscribers will no longer receive them. Nothing is delivered to current subscribers.',
      confirm: 'Clear',
    };
    if (!(await firstValueFrom(this.dialog.open(ConfirmDialog, { data, autoFocus: 'dialog' }).afterClosed()))) return;
    this.clearing.set(true);
    try {
      const r = await firstValueFrom(this.apollo.mutate({ mutation: ClearRetainedDocument, variables: { topics } }));
      if (r.error) throw r.error;
      const n = r.data!.clearRetained;
      this.snack.open(`Cleared ${n} retained message${n === 1 ? '' : 's'}`, undefined, { duration: 4000 });
      this.selected.set(new Set());
    } catch (e) {
      this.snack.open(`Could not clear: ${errorMessage(e)}`, 'Close', { duration: 8000 });
    } finally {
      this.clearing.set(false);
      await this.list.reload(true);
    }
  }

  protected clearSelected(): Promise<void> {
    return this.clear([...this.selected()]);
  }

  protected open(m: RetainedRowFragment): void {
    const data: MessageDetail = { ...m, retain: true, extra: [{ label: 'Expires', value: m.expiresAt ? new Date(m.expiresAt).toLocaleString() : 'never' }] };
    this.dialog.open(MessageDialog, { ...MESSAGE_DIALOG, data });
  }

  protected preview = payloadPreview;
  protected time = shortTime;
}
