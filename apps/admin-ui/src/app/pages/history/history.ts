import { ChangeDetectionStrategy, Component, computed, effect, inject, input, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { HistoryRowFragment, MessagesDocument } from '../../graphql/generated';
import { CursorList } from '../../shared/cursor-list';
import { Icon } from '../../shared/icon';
import { MESSAGE_DIALOG, MessageDialog } from '../../shared/message-dialog';
import { PageState } from '../../shared/page-state';
import { payloadPreview } from '../../shared/payload';
import { localInputToIso, shortTime } from '../../shared/time';

/** The search as the address holds it: /history?topic=a/%23&text=on&from=2026-12-05T10:00 */
export interface HistorySearch {
  topic: string;
  from: string;
  to: string;
  clientId: string;
  username: string;
  text: string;
}

/** The messages query's variables for a search; empty fields are left out. */
export function searchVariables(s: HistorySearch): { topicFilter: string; from: string | null; to: string | null; clientId: string | null; username: string | null; payloadContains: string | null } {
  return {
    topicFilter: s.topic.trim() || '#',
    from: localInputToIso(s.from),
    to: localInputToIso(s.to),
    clientId: s.clientId.trim() || null,
    username: s.username.trim() || null,
    payloadContains: s.text || null,
  };
}

/**
 * The message history, searched by topic filter, time range, publishing client and user, and payload text;
 * newest first, older pages by cursor; a message opens in full. The search lives in the address.
 */
@Component({
  selector: 'app-history',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, Icon, PageState],
  templateUrl: './history.html',
  styleUrl: './history.scss',
})
export class HistoryPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);
  readonly topic = input<string | undefined>();
  readonly from = input<string | undefined>();
  readonly to = input<string | undefined>();
  readonly clientId = input<string | undefined>();
  readonly username = input<string | undefined>();
  readonly text = input<string | undefined>();

  protected readonly search = computed<HistorySearch>(() => ({
    topic: this.topic() ?? '#',
    from: this.from() ?? '',
    to: this.to() ?? '',
    clientId: this.clientId() ?? '',
    username: this.username() ?? '',
    text: this.text() ?? '',
  }));
  protected readonly list = new CursorList<HistoryRowFragment>(
    async (first, after) => {
      const result = await firstValueFrom(this.apollo.query({ query: MessagesDocument, variables: { ...searchVariables(this.search()), first, after } }));
      if (result.error) throw result.error;
      return { items: result.data!.messages.messages, nextCursor: result.data!.messages.nextCursor };
    },
    'The history',
    50,
  );
  protected readonly filtered = computed(() => {
    const s = this.search();
    return s.topic.trim() !== '#' || s.from || s.to || s.clientId || s.username || s.text;
  });

  constructor() {
    effect(() => {
      this.search();
      untracked(() => void this.list.reload());
    });
  }

  protected submit(form: HTMLFormElement): void {
    const data = new FormData(form);
    const get = (name: keyof HistorySearch) => String(data.get(name) ?? '');
    const queryParams: Record<string, string | null> = {};
    for (const name of ['topic', 'from', 'to', 'clientId', 'username', 'text'] as const) queryParams[name] = get(name) || null;
    // The same search again reads again (the address would not change).
    const same = (Object.keys(queryParams) as Array<keyof HistorySearch>).every((k) => (queryParams[k] ?? (k === 'topic' ? '#' : '')) === this.search()[k]);
    if (same) void this.list.reload();
    else void this.router.navigate(['/history'], { queryParams });
  }

  protected reset(): void {
    void this.router.navigate(['/history']);
  }

  protected open(m: HistoryRowFragment): void {
    this.dialog.open(MessageDialog, { ...MESSAGE_DIALOG, data: m });
  }

  protected preview = payloadPreview;
  protected time = shortTime;
}
