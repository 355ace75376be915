import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import { Payload, propertyRows } from './payload';
import { PayloadView } from './payload-view';

/** A message as every screen has it; what a screen lacks is left out. */
export interface MessageDetail extends Payload {
  topic: string;
  qos: number;
  retain?: boolean;
  receivedAt: string;
  publisherClientId?: string | null;
  publisherUsername?: string | null;
  properties?: Record<string, unknown> | null;
  /** More rows for the facts table: state, packet id, expiry... */
  extra?: Array<{ label: string; value: string }>;
}

/** A message in full: where it came from, its flags, its payload as text, JSON or hex, its MQTT 5.0 properties. */
@Component({
  selector: 'app-message-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButtonModule, RouterLink, PayloadView],
  template: `
    <h2 mat-dialog-title class="mono title">{{ m.topic }}</h2>
    <mat-dialog-content>
      <dl>
        <dt>Received</dt><dd>{{ received }}</dd>
        <dt>QoS</dt><dd>{{ m.qos }}</dd>
        @if (m.retain !== undefined) { <dt>Retain</dt><dd>{{ m.retain ? 'yes' : 'no' }}</dd> }
        @if (m.publisherClientId !== undefined) { <dt>Client</dt><dd class="mono">{{ m.publisherClientId ?? '(the broker or an admin)' }}</dd> }
        @if (m.publisherUsername !== undefined) { <dt>User</dt><dd>{{ m.publisherUsername ?? '—' }}</dd> }
        @for (row of m.extra ?? []; track row.label) { <dt>{{ row.label }}</dt><dd>{{ row.value }}</dd> }
      </dl>
      <h3>Payload</h3>
      <app-payload-view [payload]="m" />
      @if (m.properties !== undefined) {
        <h3>MQTT 5.0 properties</h3>
        @if (properties().length === 0) {
          <p class="muted">None.</p>
        } @else {
          <dl data-testid="properties">
            @for (p of properties(); track $index) { <dt>{{ p.label }}</dt><dd class="mono">{{ p.value }}</dd> }
          </dl>
        }
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <a mat-button [routerLink]="['/topics/view']" [queryParams]="{ topic: m.topic }" mat-dialog-close>Topic page</a>
      <button mat-flat-button type="button" mat-dialog-close cdkFocusInitial>Close</button>
    </mat-dialog-actions>
  `,
  styles: `
    .title { overflow-wrap: anywhere; font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; }
    h3 { font: var(--mat-sys-title-small); margin: 16px 0 8px; color: var(--mat-sys-on-surface); }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; }
    dt { color: var(--mat-sys-on-surface-variant); }
    dd { margin: 0; overflow-wrap: anywhere; color: var(--mat-sys-on-surface); }
  `,
})
export class MessageDialog {
  protected readonly m = inject<MessageDetail>(MAT_DIALOG_DATA);
  protected readonly received = new Date(this.m.receivedAt).toLocaleString();
  protected readonly properties = computed(() => propertyRows(this.m.properties));
}

/** Options every screen opens the dialog with: wide enough for a hex dump, full width on a phone. */
export const MESSAGE_DIALOG = { width: '760px', maxWidth: '96vw', autoFocus: 'dialog' } as const;
