import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { refreshOnActivity, sessionsKey } from '../../core/live/refresh-gate';
import { TopicRowFragment, TopicsDocument } from '../../graphql/generated';
import { CursorList, MAX_PAGE } from '../../shared/cursor-list';
import { compactNumber } from '../../shared/format';
import { Icon } from '../../shared/icon';
import { PageState } from '../../shared/page-state';
import { shortTime } from '../../shared/time';
import { branchPaths, buildTopicTree, visibleRows } from '../../shared/topic-tree';

/** Trees with this many topics or fewer open fully; larger ones show their first level. */
const OPEN_ALL_UP_TO = 200;
/** Subscribers named in a row; the rest are counted. */
const SHOWN_SUBSCRIBERS = 3;

/**
 * The topic tree: every topic with a retained message or a recorded history, by level, each with its
 * subscribers and their QoS, retained flag, recorded count and last message. Read again when messages flow
 * or clients come and go, at most every 5 s.
 */
@Component({
  selector: 'app-topics',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, RouterLink, Icon, PageState],
  templateUrl: './topics.html',
  styleUrl: './topics.scss',
})
export class TopicsPage {
  private readonly apollo = inject(Apollo);
  protected readonly filter = signal('#');
  protected readonly list = new CursorList<TopicRowFragment>(
    async (first, after) => {
      const result = await firstValueFrom(this.apollo.query({ query: TopicsDocument, variables: { filter: this.filter().trim() || '#', first, after } }));
      if (result.error) throw result.error;
      const page = result.data!.topics;
      return { items: page.topics, nextCursor: page.nextCursor, total: page.total };
    },
    'The topics',
    MAX_PAGE,
  );
  protected readonly tree = computed(() => buildTopicTree(this.list.items() ?? []));
  /** Levels opened or closed by hand; the rest follow the tree's size. */
  private readonly toggled = signal(new Map<string, boolean>());
  protected readonly rows = computed(() => {
    const tree = this.tree();
    const toggled = this.toggled();
    const openByDefault = (this.list.items()?.length ?? 0) <= OPEN_ALL_UP_TO;
    return visibleRows(tree, (path) => toggled.get(path) ?? openByDefault);
  });

  constructor() {
    let timer: ReturnType<typeof setTimeout> | undefined;
    effect(() => {
      this.filter();
      clearTimeout(timer);
      timer = setTimeout(() => void untracked(() => this.list.reload()), untracked(() => this.list.items()) === null ? 0 : 400);
    });
    inject(DestroyRef).onDestroy(() => clearTimeout(timer));
    refreshOnActivity(sessionsKey, () => this.list.reload(true));
  }

  protected toggle(path: string, open: boolean): void {
    this.toggled.update((m) => new Map(m).set(path, open));
  }

  protected setAll(open: boolean): void {
    this.toggled.set(new Map(branchPaths(this.tree()).map((p) => [p, open])));
  }

  protected subscribers(t: TopicRowFragment) {
    return t.subscribers.slice(0, SHOWN_SUBSCRIBERS);
  }

  protected more(t: TopicRowFragment): number {
    return Math.max(0, t.subscribers.length - SHOWN_SUBSCRIBERS);
  }

  protected time = shortTime;
  protected count = compactNumber;
}
