import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { AdminRole } from '../../graphql/generated';
import { Icon } from '../../shared/icon';

export interface NewApiKey {
  name: string;
  role: AdminRole;
  expiresAt: string | null;
}

/** "2026-03-01" (a date input's value) -> the end of that day, local time, as an ISO string; null when blank. */
export function endOfDay(date: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!match) return null;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59, 999).toISOString();
}

/** Today as a date input's value, the earliest expiry that makes sense. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Asks for a new key's name, role and expiry. */
@Component({
  selector: 'app-api-key-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  template: `
    <h2 mat-dialog-title>New API key</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="fields">
        <mat-form-field appearance="outline">
          <mat-label>Name</mat-label>
          <input matInput formControlName="name" name="key-name" autocomplete="off" spellcheck="false" required maxlength="100" />
          <mat-hint>What the key is for, e.g. ci-deploy</mat-hint>
          @if (form.controls.name.hasError('required')) { <mat-error>Enter a name</mat-error> }
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Role</mat-label>
          <mat-select formControlName="role">
            <mat-option value="viewer">viewer (reads)</mat-option>
            <mat-option value="admin">admin (everything)</mat-option>
          </mat-select>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Expires on</mat-label>
          <input matInput type="date" formControlName="expires" name="expires" [min]="min" />
          <mat-hint>Optional: blank, it never expires</mat-hint>
          @if (form.controls.expires.hasError('past')) { <mat-error>Pick today or a later day</mat-error> }
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit">Create</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `.fields { display: flex; flex-direction: column; gap: 8px; min-width: min(420px, 80vw); }`,
})
export class ApiKeyDialog {
  private readonly ref = inject<MatDialogRef<ApiKeyDialog, NewApiKey>>(MatDialogRef);
  protected readonly min = today();
  protected readonly form = new FormGroup({
    name: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
    role: new FormControl<AdminRole>('viewer', { nonNullable: true }),
    expires: new FormControl('', { nonNullable: true, validators: [(c) => (c.value && (c.value as string) < this.min ? { past: true } : null)] }),
  });

  protected save(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    this.ref.close({ name: v.name.trim(), role: v.role, expiresAt: endOfDay(v.expires) });
  }
}

export interface ApiKeySecretData {
  name: string;
  secret: string;
}

/** Shows a new key, this once, with a copy button. */
@Component({
  selector: 'app-api-key-secret-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, Icon],
  template: `
    <h2 mat-dialog-title>API key {{ data.name }}</h2>
    <mat-dialog-content class="fields">
      <p class="warning" role="alert"><app-icon name="warning" /> Copy the key now: you will not see it again. Only its hash is kept.</p>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>The key</mat-label>
        <textarea matInput readonly rows="2" [value]="data.secret" class="mono secret" data-testid="api-key-secret" (focus)="$any($event.target).select()"></textarea>
        <button mat-icon-button matSuffix type="button" (click)="copy()" aria-label="Copy the key" data-testid="copy-key"><app-icon name="copy" /></button>
      </mat-form-field>
      <p class="muted" aria-live="polite">@if (copied()) { Copied. } @else { Send it as <code>Authorization: Bearer &lt;key&gt;</code> }</p>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-flat-button type="button" mat-dialog-close>Done</button>
    </mat-dialog-actions>
  `,
  styles: `
    .fields { display: flex; flex-direction: column; gap: 8px; min-width: min(520px, 80vw); }
    .warning { display: flex; gap: 8px; align-items: center; margin: 0 0 8px; padding: 8px 12px; border-radius: 8px; background: #fff1cc; color: #4d3800; }
    :host-context(.dark-theme) .warning { background: #4a3a0a; color: #ffe08a; }
    .warning app-icon { width: 20px; height: 20px; }
    .muted { margin: 0; }
    .secret { font-size: 14px; line-height: 1.5; resize: none; word-break: break-all; }
  `,
})
export class ApiKeySecretDialog {
  protected readonly data = inject<ApiKeySecretData>(MAT_DIALOG_DATA);
  protected readonly copied = signal(false);

  protected async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.data.secret);
      this.copied.set(true);
    } catch {
      // No clipboard (not a secure origin): select the text so that Ctrl+C copies it.
      const input = document.querySelector<HTMLInputElement>('[data-testid="api-key-secret"]');
      input?.focus();
      input?.select();
    }
  }
}
