import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatMenuModule } from '@angular/material/menu';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../core/auth/auth.service';
import { errorMessage } from '../../core/graphql/errors';
import {
  CreateUserDocument,
  DeleteUserDocument,
  ExportUsersDocument,
  ImportUsersDocument,
  UpdateUserDocument,
  UpdateUserInput,
  UserImportInput,
  UserRowFragment,
  UsersDocument,
} from '../../graphql/generated';
import { ConfirmData, ConfirmDialog } from '../../shared/confirm-dialog';
import { Icon } from '../../shared/icon';
import { PageState } from '../../shared/page-state';
import { UserDialog, UserDialogData, UserDialogResult } from './user-dialog';
import { refreshWhileVisible } from '../../shared/refresh-while-visible';

/** Users change only through the API: read again after each change here, and every 30 s while visible for changes made elsewhere. */
const REFRESH_MS = 30_000;

/** Reads an export (or a hand-written list) for importUsers; throws with what is wrong. */
export function parseImport(text: string): UserImportInput[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('The file is not JSON.');
  }
  const list = Array.isArray(value) ? value : (value as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) throw new Error('Expected a JSON array of users, as the export writes.');
  return list.map((u: unknown, i: number) => {
    const o = u as Record<string, unknown>;
    if (typeof o?.['username'] !== 'string' || !o['username']) throw new Error(`User ${i + 1} has no username.`);
    if (typeof o['passwordHash'] !== 'string' && typeof o['password'] !== 'string') throw new Error(`User "${o['username']}" has neither passwordHash nor password.`);
    return {
      username: o['username'],
      ...(typeof o['passwordHash'] === 'string' ? { passwordHash: o['passwordHash'] } : { password: o['password'] as string }),
      roles: Array.isArray(o['roles']) ? (o['roles'] as unknown[]).map(String) : [],
      enabled: o['enabled'] !== false,
    };
  });
}

@Component({
  selector: 'app-users',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatMenuModule, MatSlideToggleModule, MatTooltipModule, Icon, PageState],
  templateUrl: './users.html',
  styleUrl: './users.scss',
})
export class UsersPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly auth = inject(AuthService);

  protected readonly users = signal<UserRowFragment[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal<string | null>(null);

  constructor() {
    void this.load();
    refreshWhileVisible(() => void this.load(true), REFRESH_MS);
  }

  protected async load(quiet = false): Promise<void> {
    if (!quiet) this.error.set(null);
    try {
      const result = await firstValueFrom(this.apollo.query({ query: UsersDocument }));
      if (result.error) throw result.error;
      this.users.set(result.data!.users);
      this.error.set(null);
    } catch (e) {
      if (!quiet || this.users() === null) this.error.set(`The users could not be read: ${errorMessage(e)}`);
    }
  }

  protected async create(): Promise<void> {
    const result = await this.openDialog({});
    if (!result) return;
    await this.run(`Created ${result.username}`, async () => {
      const r = await firstValueFrom(
        this.apollo.mutate({ mutation: CreateUserDocument, variables: { input: { username: result.username, password: result.password!, roles: result.roles, enabled: result.enabled } } }),
      );
      if (r.error) throw r.error;
    });
  }

  protected async changePassword(user: UserRowFragment): Promise<void> {
    const result = await this.openDialog({ user, passwordOnly: true });
    if (result?.password) await this.update(user.username, { password: result.password }, `Password of ${user.username} changed`);
  }

  protected async editRoles(user: UserRowFragment): Promise<void> {
    const result = await this.openDialog({ user });
    if (result?.roles) await this.update(user.username, { roles: result.roles }, `Roles of ${user.username} saved`);
  }

  protected async setEnabled(user: UserRowFragment, enabled: boolean): Promise<void> {
    await this.update(user.username, { enabled }, `${user.username} ${enabled ? 'enabled' : 'disabled'}`);
  }

  protected async remove(user: UserRowFragment): Promise<void> {
    const data: ConfirmData = {
      title: `Delete ${user.username}?`,
      message: 'Clients can no longer sign in as this user. Connected ones stay connected until they reconnect.',
      confirm: 'Delete',
    };
    if (!(await firstValueFrom(this.dialog.open(ConfirmDialog, { data }).afterClosed()))) return;
    await this.run(`Deleted ${user.username}`, async () => {
      const r = await firstValueFrom(this.apollo.mutate({ mutation: DeleteUserDocument, variables: { username: user.username } }));
      if (r.error) throw r.error;
    });
  }

  protected async exportUsers(): Promise<void> {
    await this.run(null, async () => {
      const r = await firstValueFrom(this.apollo.query({ query: ExportUsersDocument }));
      if (r.error) throw r.error;
      const blob = new Blob([JSON.stringify(r.data!.exportUsers, null, 2) + '\n'], { type: 'application/json' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `nestmq-users-${new Date().toISOString().slice(0, 10)}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      this.snack.open(`Exported ${r.data!.exportUsers.length} users (with their bcrypt hashes)`, undefined, { duration: 4000 });
    });
  }

  protected async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    await this.run(null, async () => {
      const users = parseImport(await file.text());
      const r = await firstValueFrom(this.apollo.mutate({ mutation: ImportUsersDocument, variables: { users } }));
      if (r.error) throw r.error;
      this.snack.open(`Imported: ${r.data!.importUsers.created} created, ${r.data!.importUsers.updated} updated`, undefined, { duration: 5000 });
    });
  }

  private async update(username: string, input: UpdateUserInput, done: string): Promise<void> {
    await this.run(done, async () => {
      const r = await firstValueFrom(this.apollo.mutate({ mutation: UpdateUserDocument, variables: { username, input } }));
      if (r.error) throw r.error;
    });
  }

  private openDialog(data: UserDialogData): Promise<UserDialogResult | undefined> {
    return firstValueFrom(this.dialog.open<UserDialog, UserDialogData, UserDialogResult>(UserDialog, { data }).afterClosed());
  }

  /** Runs a change, says how it went, and reads the list again. */
  private async run(done: string | null, work: () => Promise<void>): Promise<void> {
    this.busy.set(done ?? 'working');
    try {
      await work();
      if (done) this.snack.open(done, undefined, { duration: 4000 });
    } catch (e) {
      this.snack.open(errorMessage(e), 'Close', { duration: 10_000 });
    } finally {
      this.busy.set(null);
      await this.load(true);
    }
  }
}
