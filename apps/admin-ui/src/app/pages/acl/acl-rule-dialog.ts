import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { errorMessage } from '../../core/graphql/errors';
import type { AclAction, AclPermission } from '../../graphql/generated';
import { AclRule, orNull, topicProblem } from './acl-rules';

/** The fields of a rule, as createAclRule takes them and updateAclRule changes them. */
export interface AclRuleInput {
  permission: AclPermission;
  action: AclAction;
  topic: string;
  username: string | null;
  clientId: string | null;
  anonymous: boolean;
  role: string | null;
  comment: string | null;
}

export interface AclRuleDialogData {
  /** Absent: a new rule. */
  rule?: AclRule;
  /** MAX_TOPIC_LEVELS of the broker. */
  maxLevels: number;
  /** Sends the rule to the broker; its error is shown in the dialog, which stays open. */
  save: (input: AclRuleInput) => Promise<void>;
}

/** Creates or edits a database rule; the topic is checked as the broker checks it, and the broker's refusal is shown. */
@Component({
  selector: 'app-acl-rule-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, MatSlideToggleModule],
  template: `
    <h2 mat-dialog-title>{{ data.rule ? 'Edit rule ' + data.rule.position : 'New rule' }}</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="fields">
        <div class="pair">
          <mat-form-field appearance="outline">
            <mat-label>Permission</mat-label>
            <mat-select formControlName="permission">
              <mat-option value="allow">allow</mat-option>
              <mat-option value="deny">deny</mat-option>
            </mat-select>
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Action</mat-label>
            <mat-select formControlName="action">
              <mat-option value="publish">publish</mat-option>
              <mat-option value="subscribe">subscribe (and receive)</mat-option>
              <mat-option value="all">all</mat-option>
            </mat-select>
          </mat-form-field>
        </div>
        <mat-form-field appearance="outline">
          <mat-label>Topic</mat-label>
          <input matInput formControlName="topic" name="topic" class="mono" autocomplete="off" autocapitalize="none" spellcheck="false" required />
          <mat-hint>A topic filter; %u is the user name, %c the client id</mat-hint>
          @if (form.controls.topic.errors?.['topic']; as problem) { <mat-error>{{ problem }}</mat-error> }
        </mat-form-field>
        <div class="pair">
          <mat-form-field appearance="outline">
            <mat-label>User name</mat-label>
            <input matInput formControlName="username" name="rule-username" autocomplete="off" autocapitalize="none" spellcheck="false" />
            <mat-hint>Blank: any user</mat-hint>
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label>Client id</mat-label>
            <input matInput formControlName="clientId" name="rule-client-id" autocomplete="off" autocapitalize="none" spellcheck="false" />
            <mat-hint>Blank: any client</mat-hint>
          </mat-form-field>
        </div>
        <mat-form-field appearance="outline">
          <mat-label>Role</mat-label>
          <input matInput formControlName="role" name="rule-role" autocomplete="off" autocapitalize="none" spellcheck="false" />
          <mat-hint>Blank: any role (a user's roles, or given by JWT, HTTP hook, LDAP)</mat-hint>
        </mat-form-field>
        <mat-slide-toggle formControlName="anonymous">Only anonymous clients (no user name)</mat-slide-toggle>
        <mat-form-field appearance="outline">
          <mat-label>Comment</mat-label>
          <input matInput formControlName="comment" name="comment" autocomplete="off" maxlength="1000" />
        </mat-form-field>
        @if (serverError(); as message) {
          <p class="server-error" role="alert" data-testid="rule-error">The broker refused the rule: {{ message }}</p>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="saving()">{{ data.rule ? 'Save' : 'Create' }}</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .fields { display: flex; flex-direction: column; gap: 8px; min-width: min(520px, 80vw); }
    .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
    mat-slide-toggle { margin: 4px 0 12px; }
    .server-error { margin: 0; padding: 8px 12px; border-radius: 8px; background: var(--mat-sys-error-container); color: var(--mat-sys-on-error-container); }
    @media (max-width: 599.98px) { .pair { grid-template-columns: 1fr; gap: 0; } }
  `,
})
export class AclRuleDialog {
  protected readonly data = inject<AclRuleDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<AclRuleDialog, boolean>>(MatDialogRef);
  protected readonly saving = signal(false);
  protected readonly serverError = signal<string | null>(null);

  protected readonly form = new FormGroup({
    permission: new FormControl<AclPermission>(this.data.rule?.permission ?? 'deny', { nonNullable: true }),
    action: new FormControl<AclAction>(this.data.rule?.action ?? 'publish', { nonNullable: true }),
    topic: new FormControl(this.data.rule?.topic ?? '', {
      nonNullable: true,
      validators: [Validators.required, (c) => {
        const problem = topicProblem(c.value as string, this.data.maxLevels);
        return problem ? { topic: problem } : null;
      }],
    }),
    username: new FormControl(this.data.rule?.username ?? '', { nonNullable: true }),
    clientId: new FormControl(this.data.rule?.clientId ?? '', { nonNullable: true }),
    anonymous: new FormControl(this.data.rule?.anonymous ?? false, { nonNullable: true }),
    role: new FormControl(this.data.rule?.role ?? '', { nonNullable: true }),
    comment: new FormControl(this.data.rule?.comment ?? '', { nonNullable: true }),
  });

  constructor() {
    const sync = (anonymous: boolean) => (anonymous ? this.form.controls.username.disable() : this.form.controls.username.enable());
    sync(this.form.controls.anonymous.value);
    this.form.controls.anonymous.valueChanges.subscribe(sync);
  }

  protected async save(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    const input: AclRuleInput = {
      permission: v.permission,
      action: v.action,
      topic: v.topic.trim(),
      username: v.anonymous ? null : orNull(v.username),
      clientId: orNull(v.clientId),
      anonymous: v.anonymous,
      role: orNull(v.role),
      comment: orNull(v.comment),
    };
    this.saving.set(true);
    this.serverError.set(null);
    try {
      await this.data.save(input);
      this.ref.close(true);
    } catch (e) {
      this.serverError.set(errorMessage(e));
    } finally {
      this.saving.set(false);
    }
  }
}
