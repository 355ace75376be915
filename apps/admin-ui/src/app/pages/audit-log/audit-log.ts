import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { errorMessage } from '../../core/graphql/errors';
import { AuditLogDocument, AuditLogQuery } from '../../graphql/generated';
import { PageState } from '../../shared/page-state';
import { DetailView, detailView, headline } from './audit-details';

type Entry = AuditLogQuery['auditLog']['entries'][number];
interface Row extends Entry {
  view: DetailView;
  line: string;
}

const PAGE = 50;
/** The audit log has no live feed: its newest page is read again this often while visible. */
const REFRESH_MS = 10_000;

const toRow = (e: Entry): Row => ({ ...e, view: detailView(e.details), line: headline(e.action, e.target, e.details) });

/** Who changed what through the admin API, newest first, each change's before and after unfolded on demand. */
@Component({
  selector: 'app-audit-log',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatProgressBarModule, PageState],
  templateUrl: './audit-log.html',
  styleUrl: './audit-log.scss',
})
export class AuditLogPage {
  private readonly apollo = inject(Apollo);
  protected readonly entries = signal<Row[] | null>(null);
  protected readonly cursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly open = signal<ReadonlySet<string>>(new Set());

  constructor() {
    void this.load();
    const timer = setInterval(() => document.visibilityState === 'visible' && !this.loading() && void this.newest(), REFRESH_MS);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  protected async load(more = false): Promise<void> {
    this.loading.set(true);
    if (!more) this.error.set(null);
    try {
      const page = await this.page(more ? this.cursor() : null);
      const rows = page.entries.map(toRow);
      this.entries.update((list) => (more && list ? [...list, ...rows] : rows));
      this.cursor.set(page.nextCursor);
    } catch (e) {
      this.error.set(`The audit log could not be read: ${errorMessage(e)}`);
    } finally {
      this.loading.set(false);
    }
  }

  /** Adds the entries made since the newest one shown. */
  private async newest(): Promise<void> {
    const list = this.entries();
    if (list === null) return;
    try {
      const page = await this.page(null);
      const known = new Set(list.map((e) => e.id));
      const fresh = page.entries.filter((e) => !known.has(e.id)).map(toRow);
      if (fresh.length > 0) this.entries.update((l) => [...fresh, ...(l ?? [])]);
    } catch {
      // The next tick tries again; what is shown stays.
    }
  }

  private async page(after: string | null): Promise<AuditLogQuery['auditLog']> {
    const result = await firstValueFrom(this.apollo.query({ query: AuditLogDocument, variables: { first: PAGE, after } }));
    if (result.error) throw result.error;
    return result.data!.auditLog;
  }

  protected toggle(id: string): void {
    this.open.update((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }

  protected time(iso: string): string {
    return new Date(iso).toLocaleString();
  }
}
