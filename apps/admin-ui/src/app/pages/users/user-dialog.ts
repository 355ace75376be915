import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import type { UserRowFragment } from '../../graphql/generated';

export interface UserDialogData {
  /** Absent: a new user. */
  user?: UserRowFragment;
  /** Only the password is changed. */
  passwordOnly?: boolean;
}

export interface UserDialogResult {
  username: string;
  password?: string;
  roles?: string[];
  enabled?: boolean;
}

/** "admin, sensors" -> ["admin", "sensors"] */
export function parseRoles(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((r) => r.trim()).filter(Boolean))];
}

/** bcrypt reads at most 72 bytes of a password. */
export function passwordTooLong(password: string): boolean {
  return new TextEncoder().encode(password).length > 72;
}

/** Creates a user, or changes one's password or roles. */
@Component({
  selector: 'app-user-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSlideToggleModule],
  template: `
    <h2 mat-dialog-title>{{ title }}</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="fields">
        @if (!data.user) {
          <mat-form-field appearance="outline">
            <mat-label>User name</mat-label>
            <input matInput formControlName="username" name="new-username" autocomplete="off" autocapitalize="none" spellcheck="false" required />
            @if (form.controls.username.hasError('required')) { <mat-error>Enter a user name</mat-error> }
          </mat-form-field>
        }
        @if (!data.user || data.passwordOnly) {
          <mat-form-field appearance="outline">
            <mat-label>{{ data.user ? 'New password' : 'Password' }}</mat-label>
            <input matInput type="password" formControlName="password" name="new-password" autocomplete="new-password" required />
            <mat-hint>At most 72 bytes</mat-hint>
            @if (form.controls.password.hasError('required')) { <mat-error>Enter a password</mat-error> }
            @if (form.controls.password.hasError('tooLong')) { <mat-error>At most 72 bytes: bcrypt reads no more</mat-error> }
          </mat-form-field>
        }
        @if (!data.passwordOnly) {
          <mat-form-field appearance="outline">
            <mat-label>Roles</mat-label>
            <input matInput formControlName="roles" name="roles" autocomplete="off" />
            <mat-hint>Comma separated: admin, viewer, or names your ACL rules use</mat-hint>
          </mat-form-field>
        }
        @if (!data.user) {
          <mat-slide-toggle formControlName="enabled">Enabled</mat-slide-toggle>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit">{{ data.user ? 'Save' : 'Create' }}</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `.fields { display: flex; flex-direction: column; gap: 8px; min-width: min(420px, 80vw); } mat-slide-toggle { margin: 4px 0 8px; }`,
})
export class UserDialog {
  protected readonly data = inject<UserDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<UserDialog, UserDialogResult>>(MatDialogRef);
  protected readonly title = !this.data.user ? 'New MQTT user' : this.data.passwordOnly ? `Password of ${this.data.user.username}` : `Roles of ${this.data.user.username}`;
  protected readonly submitted = signal(false);

  protected readonly form = new FormGroup({
    username: new FormControl(this.data.user?.username ?? '', { nonNullable: true, validators: this.data.user ? [] : [Validators.required] }),
    password: new FormControl('', {
      nonNullable: true,
      validators: !this.data.user || this.data.passwordOnly ? [Validators.required, (c) => (passwordTooLong(c.value as string) ? { tooLong: true } : null)] : [],
    }),
    roles: new FormControl((this.data.user?.roles ?? []).join(', '), { nonNullable: true }),
    enabled: new FormControl(this.data.user?.enabled ?? true, { nonNullable: true }),
  });

  protected save(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    const result: UserDialogResult = { username: this.data.user?.username ?? v.username.trim() };
    if (!this.data.user || this.data.passwordOnly) result.password = v.password;
    if (!this.data.passwordOnly) result.roles = parseRoles(v.roles);
    if (!this.data.user) result.enabled = v.enabled;
    this.ref.close(result);
  }
}
