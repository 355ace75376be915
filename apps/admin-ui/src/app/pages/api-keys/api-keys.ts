import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { errorMessage } from '../../core/graphql/errors';
import { ApiKeyRowFragment, ApiKeysDocument, CreateApiKeyDocument, RevokeApiKeyDocument } from '../../graphql/generated';
import { ConfirmData, ConfirmDialog } from '../../shared/confirm-dialog';
import { Icon } from '../../shared/icon';
import { PageState } from '../../shared/page-state';
import { ApiKeyDialog, ApiKeySecretData, ApiKeySecretDialog, NewApiKey } from './api-key-dialogs';
import { refreshWhileVisible } from '../../shared/refresh-while-visible';

/** Last use and use counts move with every request a key makes: read again this often while visible. */
const REFRESH_MS = 15_000;

/** API keys for scripts and machines (admins only): list, create (the key shown once), revoke. */
@Component({
  selector: 'app-api-keys',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatTooltipModule, Icon, PageState],
  templateUrl: './api-keys.html',
  styleUrl: './api-keys.scss',
})
export class ApiKeysPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);

  protected readonly keys = signal<ApiKeyRowFragment[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);

  constructor() {
    void this.load();
    refreshWhileVisible(() => !this.busy() && void this.load(true), REFRESH_MS);
  }

  protected async load(quiet = false): Promise<void> {
    if (!quiet) this.error.set(null);
    try {
      const result = await firstValueFrom(this.apollo.query({ query: ApiKeysDocument }));
      if (result.error) throw result.error;
      this.keys.set(result.data!.apiKeys);
      this.error.set(null);
    } catch (e) {
      if (!quiet || this.keys() === null) this.error.set(`The API keys could not be read: ${errorMessage(e)}`);
    }
  }

  protected async create(): Promise<void> {
    const input = await firstValueFrom(this.dialog.open<ApiKeyDialog, undefined, NewApiKey>(ApiKeyDialog).afterClosed());
    if (!input) return;
    this.busy.set(true);
    try {
      const r = await firstValueFrom(this.apollo.mutate({ mutation: CreateApiKeyDocument, variables: { input } }));
      if (r.error) throw r.error;
      const created = r.data!.createApiKey;
      await this.load(true);
      const data: ApiKeySecretData = { name: created.apiKey.name, secret: created.secret };
      this.dialog.open(ApiKeySecretDialog, { data, disableClose: true, autoFocus: '[data-testid="copy-key"]' });
    } catch (e) {
      this.snack.open(`The key was not created: ${errorMessage(e)}`, 'Close', { duration: 10_000 });
    } finally {
      this.busy.set(false);
    }
  }

  protected async revoke(key: ApiKeyRowFragment): Promise<void> {
    const data: ConfirmData = {
      title: `Revoke ${key.name}?`,
      message: 'The next request with this key is refused and its subscription sockets close. This cannot be undone: make a new key instead.',
      confirm: 'Revoke',
    };
    if (!(await firstValueFrom(this.dialog.open(ConfirmDialog, { data }).afterClosed()))) return;
    this.busy.set(true);
    try {
      const r = await firstValueFrom(this.apollo.mutate({ mutation: RevokeApiKeyDocument, variables: { id: key.id } }));
      if (r.error) throw r.error;
      this.snack.open(`${key.name} revoked`, undefined, { duration: 4000 });
    } catch (e) {
      this.snack.open(errorMessage(e), 'Close', { duration: 10_000 });
    } finally {
      await this.load(true);
      this.busy.set(false);
    }
  }

  protected time(iso: string | null): string {
    return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
  }

  protected day(iso: string | null): string {
    return iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' }) : 'never';
  }
}
